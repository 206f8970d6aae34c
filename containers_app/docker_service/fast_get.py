"""docker-py's client, whose plain GETs to a local socket skip requests' session layer.

Every page asks the engine for a list or an object (`/containers/json`,
`/images/{id}/json`, ...). Through docker-py each such GET goes through a
requests Session: settings merged, cookies and hooks prepared, the adapter's
connection chosen, the answer wrapped. That costs about 0.6 ms of CPU on top of
the 0.2 ms the HTTP exchange itself costs over the socket (measured with
`benchmarks/engine_get.py`), and pages make one to five of them. Here those GETs
go straight to the same urllib3 connection pool docker-py would use and come
back as the same `requests.Response`, so docker-py's parsing and error handling
(`_result`, `APIError`) are unchanged; transport failures become the requests
exceptions they would have been.

Only plain GETs on a unix socket take this path: streams (logs, events, stats,
`docker save`), calls with headers of their own (HttpHeaders in the Docker
config), and TLS or ssh endpoints keep requests' whole path.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import docker
import requests
import urllib3
from docker.transport import UnixHTTPAdapter
from requests.models import RequestEncodingMixin
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

PLAIN = frozenset({"params"})  # the only keyword a plain GET may carry


class FastGetAPIClient(docker.APIClient):
    def _get(self, url: str, **kwargs) -> requests.Response:
        adapter = self.get_adapter(url)
        plain = not (kwargs.keys() - PLAIN or "HttpHeaders" in self._general_configs)
        if not (plain and isinstance(adapter, UnixHTTPAdapter)):
            return super()._get(url, **kwargs)
        target = urlsplit(url).path
        if query := RequestEncodingMixin._encode_params(kwargs.get("params") or {}):
            target += f"?{query}"
        pool = adapter.get_connection(self.base_url)
        try:
            answer = pool.urlopen(
                "GET",
                target,
                headers=self.headers,
                retries=False,
                redirect=False,
                timeout=urllib3.Timeout(self.timeout),
                preload_content=True,
            )
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise requests.exceptions.ReadTimeout(exc) from exc
        except urllib3.exceptions.ConnectTimeoutError as exc:
            raise requests.exceptions.ConnectTimeout(exc) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise requests.exceptions.ConnectionError(exc) from exc
        response = requests.Response()
        response.status_code = answer.status
        response.reason = answer.reason
        response.headers = CaseInsensitiveDict(answer.headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response._content = answer.data
        response.url = url
        return response
