# Sets the run's condition from its input: true when value > 10.
input=$(cronium_get_input)
value=${input#*\"value\":}
value=${value%%[,\}]*}
if [ "$value" -gt 10 ]; then cronium_set_condition true; else cronium_set_condition false; fi
echo "condition is now $(cronium_get_condition)"
