"""The monitor's adapters: the classifier, SQL state, the message transports and the batch consumer."""
