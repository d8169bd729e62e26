# Stores a variable and reads it back; a JSON value is stored as its JSON text.
import cronium

cronium.set_variable("greeting", 'hi "there"\\ \ttab\nline 2')
print(cronium.get_variable("greeting"))
cronium.set_variable("py_settings", {"retries": 3})
print(cronium.getVariable("py_settings"))
print("missing variable:", cronium.get_variable("no_such_variable"))
