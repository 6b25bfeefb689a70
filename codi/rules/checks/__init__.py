"""One module per rule; the module name is the rule code in lower case (dl3008.py, cd1001.py)."""
