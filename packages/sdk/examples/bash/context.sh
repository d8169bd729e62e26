# Shows what the run knows about itself and keeps it as the output.
context=$(cronium_get_event_context)
echo "$context"
cronium_set_output "$context"
