"""Load profile for bench_http.py: a trivial view against real pages."""

import os

from locust import HttpUser, constant, task

EMAIL = os.environ.get("BENCH_EMAIL", "viewer@nordsoft.example")
PASSWORD = os.environ.get("BENCH_PASSWORD", "carbon-demo-2019")


class TrivialUser(HttpUser):
    """Hits the health check only: the server's floor."""

    wait_time = constant(0)
    weight = int(os.environ.get("BENCH_TRIVIAL_WEIGHT", "1"))

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="trivial")


class ViewerUser(HttpUser):
    """Logs in as a viewer and opens the organisation pages."""

    wait_time = constant(0)
    weight = int(os.environ.get("BENCH_VIEWER_WEIGHT", "1"))

    def on_start(self) -> None:
        self.client.get("/accounts/login/")
        token = self.client.cookies.get("csrftoken", "")
        self.client.post(
            "/accounts/login/",
            {"username": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/accounts/login/"},
        )

    @task
    def org_home(self) -> None:
        self.client.get(os.environ.get("BENCH_PAGE", "/o/nordsoft/"), name="page")
