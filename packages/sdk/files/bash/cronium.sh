# The Cronium SDK for Bash scripts (needs only curl). Cronium sources this file through
# BASH_ENV, so the functions exist when the script starts:
#   cronium_get_input                 prints the input as JSON
#   cronium_set_output JSON           sets the output (any JSON value)
#   cronium_get_variable KEY          prints the raw value; exit status 1 when it does not exist
#   cronium_set_variable KEY VALUE    stores VALUE (a string)
#   cronium_get_condition             prints true, false or null
#   cronium_set_condition true|false
#   cronium_get_event_context         prints the context as JSON
#   cronium_execute_tool_action TOOL PARAMS_JSON
#                                     sends a tool action with your credential TOOL; prints
#                                     the result as JSON; exit status 1 when it was not sent
# Errors print the API's message on stderr and return status 2. The token is passed to curl
# on its standard input, never on its command line.

__cronium_call() { # METHOD PATH [JSON-BODY]: sets __cronium_status and __cronium_body; 0 on 2xx
  local method=$1 path=$2 url=${CRONIUM_API_URL:-} base response attempt=1
  __cronium_status=
  __cronium_body=
  if [ -z "$url" ] || [ -z "${CRONIUM_RUN_TOKEN:-}" ]; then
    echo "cronium: CRONIUM_API_URL and CRONIUM_RUN_TOKEN are not set: is this script running under Cronium?" >&2
    return 2
  fi
  if ! command -v curl >/dev/null 2>&1; then
    echo "cronium: the Bash SDK needs curl, and there is none here (add it to the image or server)" >&2
    return 2
  fi
  local -a args=(--silent --max-time 30 -X "$method" -H 'Accept: application/json' -w '\n%{http_code}')
  if [[ $url == unix://* ]]; then
    args+=(--unix-socket "${url#unix://}")
    base=http://localhost
  else
    base=${url%/}
  fi
  if [ $# -ge 3 ]; then args+=(-H 'Content-Type: application/json' --data-binary @/dev/fd/3); fi
  while :; do
    if [ $# -ge 3 ]; then
      response=$(printf 'header = "Authorization: Bearer %s"\n' "$CRONIUM_RUN_TOKEN" | curl --config - "${args[@]}" "$base$path" 3< <(printf '%s' "$3"))
    else
      response=$(printf 'header = "Authorization: Bearer %s"\n' "$CRONIUM_RUN_TOKEN" | curl --config - "${args[@]}" "$base$path")
    fi
    local curl_status=$?
    __cronium_status=${response##*$'\n'}
    __cronium_body=${response%$'\n'*}
    [ "$curl_status" -ne 0 ] && __cronium_status=000
    case $__cronium_status in
      000 | 429 | 502 | 503 | 504)
        if [ "$attempt" -ge 8 ]; then break; fi
        # 0.1, 0.2, 0.4, 0.8, 1.6, 2 and 2 s between the eight tries (7.1 s: a runtime API
        # restart), as the other SDKs wait.
        case $attempt in 1) sleep 0.1 ;; 2) sleep 0.2 ;; 3) sleep 0.4 ;; 4) sleep 0.8 ;; 5) sleep 1.6 ;; *) sleep 2 ;; esac 2>/dev/null || sleep 1
        attempt=$(( attempt + 1 ))
        continue ;;
    esac
    break
  done
  case $__cronium_status in
    2??) return 0 ;;
    000) echo "cronium: cannot reach the Cronium runtime API at $url" >&2; return 2 ;;
  esac
  return 1
}

__cronium_fail() { # prints the problem's detail on stderr (unless the call already said why)
  case $__cronium_status in '' | 000) return 2 ;; esac
  local detail=${__cronium_body#*\"detail\":\"}
  if [ "$detail" != "$__cronium_body" ]; then detail=${detail%%\",*}; detail=${detail%%\"\}*}; else detail="the runtime API answered $__cronium_status"; fi
  echo "cronium: $detail" >&2
  return 2
}

__cronium_json_string() { # VALUE -> a JSON string literal
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  s=${s//$'\b'/\\b}
  s=${s//$'\f'/\\f}
  printf '"%s"' "$s"
}

__cronium_key() {
  if [[ ! $1 =~ ^[A-Za-z_][A-Za-z0-9_.-]{0,127}$ ]]; then
    echo "cronium: invalid variable name '$1': letters, digits, _ . - (up to 128), not starting with a digit" >&2
    return 2
  fi
}

cronium_get_input() {
  __cronium_call GET /v1/input || { __cronium_fail; return; }
  local body=${__cronium_body#\{\"input\":}
  printf '%s\n' "${body%\}}"
}

cronium_set_output() {
  [ $# -eq 1 ] || { echo "cronium: usage: cronium_set_output JSON" >&2; return 2; }
  __cronium_call PUT /v1/output "{\"output\":$1}" || __cronium_fail
}

cronium_get_variable() {
  __cronium_key "${1:-}" || return 2
  if ! __cronium_call GET "/v1/variables/$1"; then
    [ "$__cronium_status" = 404 ] && return 1
    __cronium_fail
    return
  fi
  # {"key":"...","value":"..."}: the value, JSON escapes undone by printf %b.
  local body=${__cronium_body#*\"value\":\"}
  body=${body%\"\}}
  body=${body//\\\"/\"}
  body=${body//\\\//\/}
  printf '%b\n' "$body"
}

cronium_set_variable() {
  [ $# -eq 2 ] || { echo "cronium: usage: cronium_set_variable KEY VALUE" >&2; return 2; }
  __cronium_key "$1" || return 2
  __cronium_call PUT "/v1/variables/$1" "{\"value\":$(__cronium_json_string "$2")}" || __cronium_fail
}

cronium_get_condition() {
  __cronium_call GET /v1/condition || { __cronium_fail; return; }
  local body=${__cronium_body#\{\"condition\":}
  printf '%s\n' "${body%\}}"
}

cronium_set_condition() {
  case ${1:-} in
    true | false) __cronium_call PUT /v1/condition "{\"condition\":$1}" || __cronium_fail ;;
    *) echo "cronium: usage: cronium_set_condition true|false" >&2; return 2 ;;
  esac
}

cronium_get_event_context() {
  __cronium_call GET /v1/context || { __cronium_fail; return; }
  printf '%s\n' "$__cronium_body"
}

cronium_execute_tool_action() {
  if [ $# -ne 2 ] || [ -z "$1" ]; then
    echo "cronium: usage: cronium_execute_tool_action TOOL-NAME PARAMS-JSON" >&2
    return 2
  fi
  __cronium_call POST /v1/tool-actions "{\"tool\":$(__cronium_json_string "$1"),\"params\":$2}" || { __cronium_fail; return; }
  printf '%s\n' "$__cronium_body"
  case $__cronium_body in *'"ok":true'*) return 0 ;; esac
  return 1
}
