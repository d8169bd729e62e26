# Prints 5000 numbered lines.
for i in $(seq 1 5000); do echo "line $i of 5000"; done
