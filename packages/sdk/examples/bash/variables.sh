# Stores a variable and reads it back, with characters that need escaping.
cronium_set_variable greeting "$(printf 'hi "there"\\ \ttab\nline 2')"
value=$(cronium_get_variable greeting)
printf '%s\n' "$value"
cronium_get_variable no_such_variable
echo "missing variable: status $?"
