# Increments the variable "counter". Run it with the "queue" concurrency policy: runs started
# together then take turns, so no increment is lost.
current=$(cronium_get_variable counter) || current=0
cronium_set_variable counter "$((current + 1))"
echo "counter: $((current + 1))"
