# Calls a webhook with the tool credential "examples webhook" and keeps how it went as the
# output. The body is a template: Cronium fills in {{ run.id }} before sending it.
import cronium

result = cronium.execute_tool_action(
    "examples webhook", {"body": '{"from":"python","note":"café","run":{{ run.id }}}'}
)
print("sent", "true" if result["ok"] else "false")
cronium.set_output(result)
