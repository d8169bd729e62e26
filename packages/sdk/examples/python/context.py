# Shows what the run knows about itself and keeps it as the output.
import cronium

context = cronium.get_event_context()
print("event", context["event"]["name"], "run", context["run"]["id"], "attempt", context["run"]["attempt"])
cronium.set_output(context)
