# late_listener.py DELAY PORT: after DELAY seconds, listen on
# 127.0.0.1:PORT and pass each connection through to the test's
# PostgreSQL (PGHOST, PGPORT), as a database server that starts late
# does. Runs until killed.
import os
import socket
import sys
import threading
import time


def upstream():
    host = os.environ.get("PGHOST", "localhost")
    port = int(os.environ.get("PGPORT", "5432"))
    if host.startswith("/"):
        s = socket.socket(socket.AF_UNIX)
        s.connect(f"{host}/.s.PGSQL.{port}")
    else:
        s = socket.create_connection((host, port))
    return s


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def main():
    time.sleep(float(sys.argv[1]))
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", int(sys.argv[2])))
    srv.listen(16)
    while True:
        client, _ = srv.accept()
        server = upstream()
        for a, b in ((client, server), (server, client)):
            threading.Thread(target=pump, args=(a, b), daemon=True).start()


main()
