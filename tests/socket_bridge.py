"""A byte pipe between two sockets, for IBeam in its own network namespace (tests/e2e/test_ibeam.py):
its Chrome reaches the portal through 127.0.0.1:<port> inside the namespace -> a Unix socket
file (files are shared across network namespaces) -> the portal's 127.0.0.1:<port> outside.
Plain standard library: IBeam's interpreter imports it too."""
import socket
import threading


def serve(listener, connect):
    """Accept on `listener` until it is closed; pipe each connection to a fresh `connect()`."""
    def accept():
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # closed: the run is over
                return
            threading.Thread(target=_bridge, args=(client, connect), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    return thread


def _bridge(client, connect):
    with client:
        try:
            upstream = connect()
        except OSError:
            return
        with upstream:
            back = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
            back.start()
            _pump(client, upstream)
            back.join()


def _pump(source, sink):
    try:
        while data := source.recv(65536):
            sink.sendall(data)
        sink.shutdown(socket.SHUT_WR)  # pass the end on, keep the other direction open
    except OSError:
        pass
