"""Issue trackers: push a plan step as an issue or work item, and read back whether it is done.

Each vendor has one client (`github`, `jira`, `azure_devops`) with the same two methods, `push(item)` and
`status(external_key)`. They speak HTTP through `transport`, and every failure reaches the caller as one of the
errors in `errors`, with a message fit to show on a page and never a credential in it.
"""
