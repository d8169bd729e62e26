# Fails on purpose: a message on stderr and exit status 3.
import sys

print("about to fail")
print("something went wrong", file=sys.stderr)
sys.exit(3)
