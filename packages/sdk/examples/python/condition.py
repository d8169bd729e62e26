# Sets the run's condition from its input: true when value > 10.
import cronium

cronium.set_condition(cronium.get_input()["value"] > 10)
print("condition is now", str(cronium.get_condition()).lower())
