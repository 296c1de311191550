"""End-to-end helpers: a cluster RPC proxy into the test vhost (to read the services'
read models, which have no HTTP route) and checks every error answer must pass."""
import pytest
from nameko.standalone.rpc import ClusterRpcProxy


@pytest.fixture(scope="session")
def cluster_rpc(platform, config):
    """``cluster_rpc.suggestion.directory_entry("D0001")`` from the test process (the root
    conftest has monkey-patched eventlet). Calls time out instead of hanging."""
    proxy = ClusterRpcProxy({"AMQP_URI": config["AMQP_URI"]}, timeout=15)
    yield proxy.start()
    proxy.stop()


def assert_json_error(response, status, code=None):
    """An error answer: the given status, a JSON body ``{"error": {code, message, details}}``,
    never an HTML page or a traceback. Returns the ``error`` object."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["Content-Type"].startswith("application/json"), response.headers
    text = response.text
    assert "Traceback" not in text and "<html" not in text.lower() and 'File "' not in text, text[:500]
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], dict)
    if code is not None:
        assert error["code"] == code, error
    return error


def post(client, path, as_user, json=None, status=200):
    """POST as ``as_user`` expecting ``status``; the answer's JSON."""
    response = client.post(path, as_user=as_user, json=json or {})
    assert response.status_code == status, (path, response.status_code, response.text)
    return response.json()
