# Calls a webhook with the tool credential "examples webhook" and keeps how it went as the
# output. The body is a template: Cronium fills in {{ run.id }} before sending it. The params
# are JSON, so the body's quotes are escaped to make it a JSON string.
body='{"from":"bash","note":"café","run":{{ run.id }}}'
if result=$(cronium_execute_tool_action 'examples webhook' "{\"body\":\"${body//\"/\\\"}\"}"); then
  echo "sent true"
else
  echo "sent false"
fi
cronium_set_output "$result"
