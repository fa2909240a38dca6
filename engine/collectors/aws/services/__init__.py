"""One module per AWS service; ``registry`` lists the readers the collector runs."""
