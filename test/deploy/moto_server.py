"""moto's server for the deploy test, on 127.0.0.1 only, with one extra read-only route.

moto 5.2.1 answers GetFunction with a Code.Location on a made-up S3 host that nothing serves (a moto gap),
so the test could not read back the deployed zip. This wrapper serves moto's own stored bytes of the
function code at GET /_test/lambda-code/<account>/<region>/<function name>; every other request goes to
moto unchanged. It prints "PORT <n>" once listening and exits when its stdin closes (the test's end).

After that one line, stdout is pointed at stderr, which the test gives a log file: the test's terraform runs
block its event loop, so nothing may be written to a pipe it has to drain (a full pipe stalls moto).
"""
import os
import sys
import threading

from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from moto.backends import get_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

PREFIX = "/_test/lambda-code/"


def main() -> None:
    moto_app = DomainDispatcherApplication(create_backend_app)

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") == "GET" and path.startswith(PREFIX):
            account, region, name = path[len(PREFIX):].split("/", 2)
            try:
                fn = get_backend("lambda")[account][region].get_function(name)
                response = Response(fn.code_bytes, mimetype="application/zip")
            except Exception as error:  # noqa: BLE001 - any lookup failure is a 404 for the test
                response = Response(f"no code for {name}: {error}", status=404)
            return response(environ, start_response)
        return moto_app(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"PORT {server.server_address[1]}", flush=True)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdin.read()  # returns when the parent closes stdin or exits
    server.shutdown()


if __name__ == "__main__":
    main()
