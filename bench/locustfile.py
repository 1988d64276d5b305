"""The mixed workload of bench/load.py, as Locust users. Not run by itself: bench/load.py writes
the plan (tokens, projects, tasks of each seed user) and runs Locust on this file.

Locust and gevent live in their own virtualenv (`make bench-install`: .venv-bench, from
requirements-bench.txt) so that gevent's monkey-patching never reaches Stride's own processes;
this file imports nothing of Stride.

Each simulated person is one seed user (with that user's own token, so that the per-user rate
limit applies as it would) who waits 0.5 to 1.5 s between actions and does, by weight:
- 70 reads: the GraphQL task list of a project (50 tasks) and one task with its comments and
  activity; the same over REST.
- 20 writes: create a task, update one (title and status), assign one, comment on one.
- 10 reports and jobs: the task report (GraphQL and REST), a report job, an export job and an
  import job of five tasks.
A GraphQL answer with `errors`, or an OperationInfo instead of the object, counts as a failure.
The titles it writes start with the moment they were sent ("Load 1733500000.123456"), which
bench/load.py's subscribers read to time each event's delivery.
"""

import itertools
import json
import os
import random
import time
import uuid

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

with open(os.environ["LOAD_PLAN"]) as plan_file:
    PLAN = json.load(plan_file)
_identities = itertools.cycle(PLAN["people"])

TASK_FIELDS = """id title status priority dueDate isOverdue version createdAt
project { id name } assignee { id username } commentCount"""
TASK_LIST = f"""query Board($project: ID!) {{
  tasks(filters: {{project: $project}}, pagination: {{limit: 50}}) {{
    totalCount results {{ {TASK_FIELDS} }} }} }}"""
TASK_DETAIL = f"""query TaskDetail($id: ID!) {{
  task(id: $id) {{ {TASK_FIELDS} description
    comments {{ id content author {{ id username }} createdAt }}
    activity {{ id verb field oldValue newValue createdAt }} }} }}"""
CREATE = f"""mutation Create($input: TaskInput!) {{ createTask(input: $input) {{
  __typename ... on Task {{ {TASK_FIELDS} }} ... on OperationInfo {{ messages {{ code message }} }}
}} }}"""
UPDATE = """mutation Update($input: TaskPartialInput!) { updateTask(input: $input) {
  __typename ... on Task { id version } ... on OperationInfo { messages { code message } } } }"""
ASSIGN = """mutation Assign($task: ID!, $to: ID) { assignTask(taskId: $task, assigneeId: $to) {
  __typename ... on Task { id version } ... on OperationInfo { messages { code message } } } }"""
COMMENT = """mutation Comment($task: ID!, $text: String!) { addComment(taskId: $task,
  content: $text) {
  __typename ... on Comment { id } ... on OperationInfo { messages { code message } } } }"""
REPORT = """query Report($project: ID) { taskReport(filters: {project: $project}, topProjects: 10) {
  total completed pending inProgress overdue byProject { projectId count } } }"""
JOB_FIELDS = "__typename ... on Job { id status } ... on OperationInfo { messages { code } }"
REQUEST_REPORT = f"mutation RequestReport {{ requestReport(topProjects: 10) {{ {JOB_FIELDS} }} }}"
EXPORT = f"""mutation Export($project: ID) {{ exportTasks(filters: {{project: $project}}) {{
  {JOB_FIELDS} }} }}"""
IMPORT = f"""mutation Import($records: [TaskInput!]!, $key: String) {{
  importTasks(records: $records, idempotencyKey: $key) {{ {JOB_FIELDS} }} }}"""

STATUSES = ["PENDING", "IN_PROGRESS", "COMPLETED"]
REMARKS = ["On it.", "Done on my side, please check.", "Can we move this to next week?"]


class Person(FastHttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        me = next(_identities)
        self.headers = {"Authorization": f"Bearer {me['token']}"}
        # [{"id", "members": [user ids], "tasks": [task ids], "mine": [ids of tasks they made]}]
        self.projects = me["projects"]

    def _project(self):
        return random.choice(self.projects)

    def _task(self, project=None):
        return random.choice((project or self._project())["tasks"])

    def graphql(self, name, query, variables=None, field=None):
        """POST one operation; a failure unless it answered `field` with an object of its own."""
        body = {"query": query, "variables": variables or {}}
        with self.client.post(
            "/graphql/", json=body, headers=self.headers, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
            answer = response.json()
            if answer.get("errors"):
                response.failure(answer["errors"][0].get("message", "errors"))
                return None
            result = (answer.get("data") or {}).get(field) if field else answer.get("data")
            if isinstance(result, dict) and result.get("__typename") == "OperationInfo":
                response.failure(json.dumps(result.get("messages"))[:200])
                return None
            return result

    def rest(self, method, path, name, expected, **kwargs):
        with self.client.request(
            method, path, headers=self.headers, name=name, catch_response=True, **kwargs
        ) as response:
            if response.status_code != expected:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")

    # 70: reads
    @task(20)
    def graphql_list(self):
        self.graphql("gql tasks (50)", TASK_LIST, {"project": self._project()["id"]})

    @task(20)
    def graphql_detail(self):
        self.graphql("gql task", TASK_DETAIL, {"id": self._task()})

    @task(15)
    def rest_list(self):
        project = self._project()["id"]
        self.rest("GET", f"/api/tasks/?project={project}&page_size=50", "rest tasks (50)", 200)

    @task(15)
    def rest_detail(self):
        self.rest("GET", f"/api/tasks/{self._task()}/", "rest task", 200)

    # 20: writes
    @task(6)
    def create(self):
        project = self._project()
        title = f"Load {time.time():.6f}"
        variables = {"input": {"title": title, "projectId": project["id"], "priority": "HIGH"}}
        created = self.graphql("gql createTask", CREATE, variables, "createTask")
        if created:
            project["tasks"].append(created["id"])
            project["mine"].append(created["id"])

    def _my_project(self):
        """A project where this person created tasks (creators may change theirs), or None."""
        mine = [project for project in self.projects if project["mine"]]
        return random.choice(mine) if mine else None

    @task(6)
    def update(self):
        project = self._my_project()
        if project is None:
            return self.create()
        change = {"id": random.choice(project["mine"]), "title": f"Edited {time.time():.6f}"}
        change["status"] = random.choice(STATUSES)
        self.graphql("gql updateTask", UPDATE, {"input": change}, "updateTask")

    @task(4)
    def assign(self):
        project = self._my_project()
        if project is None:
            return self.create()
        variables = {
            "task": random.choice(project["mine"]),
            "to": random.choice(project["members"]),
        }
        self.graphql("gql assignTask", ASSIGN, variables, "assignTask")

    @task(4)
    def comment(self):
        variables = {"task": self._task(), "text": random.choice(REMARKS)}
        self.graphql("gql addComment", COMMENT, variables, "addComment")

    # 10: reports and jobs
    @task(3)
    def graphql_report(self):
        self.graphql("gql taskReport", REPORT, {"project": self._project()["id"]})

    @task(2)
    def rest_report(self):
        self.rest("GET", "/api/tasks/report/?top_projects=10", "rest report", 200)

    @task(2)
    def request_report(self):
        self.graphql("gql requestReport (job)", REQUEST_REPORT, field="requestReport")

    @task(2)
    def export(self):
        variables = {"project": self._project()["id"]}
        self.graphql("gql exportTasks (job)", EXPORT, variables, "exportTasks")

    @task(1)
    def import_tasks(self):
        project = self._project()["id"]
        records = [{"title": f"Imported {n}", "projectId": project} for n in range(5)]
        variables = {"records": records, "key": uuid.uuid4().hex}
        self.graphql("gql importTasks (job)", IMPORT, variables, "importTasks")
