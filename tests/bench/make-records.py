#!/usr/bin/env python3
# Writes N finished transfers' records (completed, paused, failed, cancelled in turn) for
# the benchmarks: make-records.py STATE_DIR DOWNLOAD_DIR N
import json, os, sys
where, downloads, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(1, n + 1):
    state = ("completed", "paused", "failed", "cancelled")[i % 4]
    record = {
        "version": 1, "id": i, "uri": "http://127.0.0.1:9/file-%d.bin" % i,
        "effective-uri": "http://127.0.0.1:9/file-%d.bin" % i, "directory": downloads,
        "filename": "file-%d.bin" % i, "state": state,
        "error": "The server answered 404 Not Found" if state == "failed" else "",
        "sha256": "", "segments": 4, "discretionary": False, "overwrite": False,
        "speed-limit": 0, "headers": [], "bytes-received": 1048576 if state == "completed" else 4096,
        "bytes-total": 1048576, "created-at": 1764000000 + i, "finished-at": 1764000100 + i,
    }
    with open(os.path.join(where, "%d.json" % i), "w") as f:
        json.dump(record, f)
