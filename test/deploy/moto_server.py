"""moto's server for the deploy test, on 127.0.0.1 only, with two extra test-only routes.

moto 5.2.1 answers GetFunction with a Code.Location on a made-up S3 host that nothing serves (a moto gap),
so the test could not read back the deployed zip. This wrapper serves moto's own stored bytes of the
function code at GET /_test/lambda-code/<account>/<region>/<function name>.

No API lets anyone but an AWS service create a requester-managed interface, and moto has no ALB nodes: POST
/_test/ec2-requester/<account>/<region>/<interface id>?requester_id=amazon-elb marks an interface created through
the API as ELB's (requester_managed = True, requester_id), in moto's own model (moto.backends.get_backend("ec2")),
which DescribeNetworkInterfaces and its requester-managed / requester-id filters then report.

Every other request goes to moto unchanged. It prints "PORT <n>" once listening and exits when its stdin closes
(the test's end).

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
REQUESTER = "/_test/ec2-requester/"


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
        if environ.get("REQUEST_METHOD") == "POST" and path.startswith(REQUESTER):
            account, region, eni_id = path[len(REQUESTER):].split("/", 2)
            query = dict(pair.split("=", 1) for pair in environ.get("QUERY_STRING", "").split("&") if "=" in pair)
            try:
                eni = get_backend("ec2")[account][region].get_network_interface(eni_id)
                eni.requester_managed = True
                eni.requester_id = query.get("requester_id", "amazon-elb")
                response = Response(f"{eni_id} requester-managed by {eni.requester_id}")
            except Exception as error:  # noqa: BLE001 - any lookup failure is a 404 for the test
                response = Response(f"no interface {eni_id}: {error}", status=404)
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
