# Chains input to output: reads {"name": ...}, outputs a greeting for it.
import cronium

data = cronium.get_input()
print("greeting", data["name"])
cronium.set_output({"greeting": "hello " + data["name"], "input": data})
