class ParseError(Exception):
    """Input that cannot be read as a report; the message is one line naming the reason."""
