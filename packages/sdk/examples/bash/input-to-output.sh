# Chains input to output: reads {"name": ...}, outputs a greeting for it.
input=$(cronium_get_input)
name=${input#*\"name\":\"}
name=${name%%\"*}
echo "greeting $name"
cronium_set_output "{\"greeting\":\"hello $name\",\"input\":$input}"
