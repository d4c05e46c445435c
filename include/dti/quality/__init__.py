"""Great Expectations: the File Data Context in ``expectations/``, the suites, and running them."""
