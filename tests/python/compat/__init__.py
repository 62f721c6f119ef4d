"""Programs written for taospy or taos-ws-py, run with only the import changed."""
