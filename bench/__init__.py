"""``make bench``: the heavy sandbox profile through every pipeline, timed against request floors."""
