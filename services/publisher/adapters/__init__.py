"""The publisher's adapters: the SQL schedule, the media Object Store, the accounts and their clients."""
