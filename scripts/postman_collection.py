"""Write graphql-queries/stride.postman_collection.json from the operations in graphql-queries/.

Run it after adding or changing an operation (a test fails until you do):
`.venv/bin/python scripts/postman_collection.py`. Requests carry the documents verbatim, example
variables, and test scripts that keep `access`, `refresh`, `projectId`, `taskId` and
`taskVersion` in collection variables, so that the Collection Runner works top to bottom after
setting `baseUrl`. Subscriptions are left out: Postman's v2.1 format has no WebSocket requests.
"""

import json
import sys
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    build_schema,
    parse,
    type_from_ast,
)
from graphql.pyutils import Undefined

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ROOT / "graphql-queries"
COLLECTION = OPERATIONS / "stride.postman_collection.json"
POSTMAN_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

# Operations anyone may call: no Authorization header (an empty Bearer would be refused).
PUBLIC = {"register", "tokenAuth", "refreshToken"}

# The order of a first session; operations not named here follow, alphabetically, before
# the ones that end it.
FIRST = [
    "register",
    "tokenAuth",
    "me",
    "updateProfile",
    "createProject",
    "addProjectMember",
    "project",
    "projects",
    "updateProject",
    "createTask",
    "assignTask",
    "addComment",
    "updateTask",
    "task",
    "tasks",
    "taskConnection",
    "taskReport",
    "requestReport",
]
LAST = ["removeProjectMember", "deleteTask", "deleteProject", "refreshToken", "revokeToken"]

# Values for the walkthrough of the README; other operations get their required variables only.
EXAMPLES = {
    "register": {
        "input": {
            # Postman's random values: the Collection Runner can run again and again.
            "username": "{{$randomUserName}}",
            "email": "{{$randomEmail}}",
            "password": "correct-horse-battery",
        }
    },
    "tokenAuth": {"username": "alice", "password": "stride-demo-pass"},
    "refreshToken": {"refresh": "{{refresh}}"},
    "revokeToken": {"refresh": "{{refresh}}"},
    "updateProfile": {"input": {"firstName": "Carol", "timeZone": "Europe/Paris"}},
    "createProject": {"input": {"name": "Website", "description": "The new site"}},
    "addProjectMember": {"projectId": "{{projectId}}", "userId": "{{userId}}"},
    "removeProjectMember": {"projectId": "{{projectId}}", "userId": "{{userId}}"},
    "project": {"id": "{{projectId}}"},
    "projects": {"pagination": {"offset": 0, "limit": 10}},
    "updateProject": {"input": {"id": "{{projectId}}", "description": "The new site, in 2030"}},
    "deleteProject": {"id": "{{projectId}}"},
    "createTask": {
        "input": {
            "title": "Draft the home page",
            "priority": "HIGH",
            "dueDate": "2030-01-31T17:00:00Z",
            "projectId": "{{projectId}}",
        }
    },
    "assignTask": {"taskId": "{{taskId}}", "assigneeId": "{{userId}}"},
    "addComment": {"taskId": "{{taskId}}", "content": "Hero image first, please."},
    "updateTask": {
        "input": {"id": "{{taskId}}", "version": "{{taskVersion}}", "status": "IN_PROGRESS"}
    },
    "task": {"id": "{{taskId}}"},
    "deleteTask": {"id": "{{taskId}}"},
    "tasks": {
        "filters": {"status": ["PENDING", "IN_PROGRESS"], "search": "home"},
        "order": [{"field": "DUE_DATE", "direction": "ASC"}],
        "pagination": {"offset": 0, "limit": 10},
    },
    "taskConnection": {"first": 10},
    "submitJob": {"input": {"title": "Nightly digest", "description": "Queued from Postman"}},
    "job": {"id": "{{jobId}}"},
    "jobs": {"pagination": {"offset": 0, "limit": 10}},
    "exportTasks": {"filters": {"status": ["PENDING", "IN_PROGRESS"]}},
    "notifications": {"unreadOnly": False, "pagination": {"offset": 0, "limit": 10}},
    "markNotificationsRead": {},
    "importTasks": {
        "records": [
            {"title": "Book the venue", "priority": "URGENT", "projectId": "{{projectId}}"},
            {"title": "Order snacks", "dueDate": "2030-02-01T12:00:00Z"},
        ],
        # A new key each run; send the same key again to get the same job back.
        "idempotencyKey": "{{$guid}}",
    },
    "taskReport": {"filters": {"status": ["PENDING", "IN_PROGRESS"]}, "topProjects": 5},
    "requestReport": {"filters": {"priority": ["HIGH", "URGENT"]}, "topProjects": 5},
}
# Integer variables that come from a collection variable: written unquoted in the JSON text.
UNQUOTED = ['"{{taskVersion}}"']

VARIABLES = {
    "baseUrl": "http://127.0.0.1:8000",
    "access": "",
    "refresh": "",
    "projectId": "1",
    "taskId": "1",
    "taskVersion": "1",
    # bob in the demo data (`make run` loads it): alice is 1, bob is 2.
    "userId": "2",
    "jobId": "1",
}

# Test scripts: which collection variables a successful answer sets, from which fields.
STORES = {
    "register": {"access": "access", "refresh": "refresh"},
    "tokenAuth": {"access": "access", "refresh": "refresh"},
    "refreshToken": {"access": "access", "refresh": "refresh"},
    "createProject": {"projectId": "id"},
    "createTask": {"taskId": "id", "taskVersion": "version"},
    "assignTask": {"taskVersion": "version"},
    "updateTask": {"taskVersion": "version"},
    "submitJob": {"jobId": "id"},
}

# What the answer must hold beyond "no error, not refused": JavaScript expressions on `payload`
# (the root field's value), for the operations whose example fixes the outcome.
CHECKS = {
    "register": ["typeof payload.access === 'string'", "payload.user.username.length > 0"],
    "tokenAuth": ["typeof payload.access === 'string'", "payload.user.username === 'alice'"],
    "me": ["payload.username === 'alice'"],
    "updateProfile": ["payload.firstName === 'Carol'", "payload.timeZone === 'Europe/Paris'"],
    "createProject": ["payload.name === 'Website'", "payload.owner.username === 'alice'"],
    "addProjectMember": ["payload.members.some(member => member.id === VARIABLE('userId'))"],
    "project": ["payload.id === VARIABLE('projectId')"],
    "projects": ["Array.isArray(payload.results)", "payload.totalCount >= 1"],
    "updateProject": ["payload.description === 'The new site, in 2030'"],
    "createTask": [
        "payload.title === 'Draft the home page'",
        "payload.priority === 'HIGH'",
        "payload.dueDate === '2030-01-31T17:00:00+00:00'",
        "payload.version === 1",
    ],
    "assignTask": ["payload.assignee.id === VARIABLE('userId')"],
    "addComment": ["payload.content === 'Hero image first, please.'"],
    "updateTask": ["payload.status === 'IN_PROGRESS'"],
    "task": [
        "payload.id === VARIABLE('taskId')",
        "payload.comments.length === 1",
    ],
    "tasks": ["payload.results.some(task => task.id === VARIABLE('taskId'))"],
    "taskConnection": ["payload.edges.length >= 1"],
    "submitJob": ["payload.status === 'PENDING'", "payload.title === 'Nightly digest'"],
    "job": ["payload.id === VARIABLE('jobId')"],
    "jobs": ["payload.results.some(job => job.id === VARIABLE('jobId'))"],
    "exportTasks": ["payload.kind === 'EXPORT'"],
    "taskReport": [
        "payload.total >= 1",
        "payload.byStatus.length === 3",
        "payload.completed + payload.pending + payload.inProgress === payload.total",
    ],
    "requestReport": ["payload.kind === 'REPORT'", "payload.status === 'PENDING'"],
    "unreadNotificationCount": ["Number.isInteger(payload)"],
    "deleteTask": ["payload.id === VARIABLE('taskId')"],
    "deleteProject": ["payload.id === VARIABLE('projectId')"],
}


def operations() -> dict[str, OperationDefinitionNode]:
    """Each HTTP operation of graphql-queries/, by file name (which is its operation name)."""
    found = {}
    for path in sorted(OPERATIONS.glob("*.graphql")):
        if path.name == "schema.graphql":
            continue
        (definition,) = (
            node
            for node in parse(path.read_text()).definitions
            if isinstance(node, OperationDefinitionNode)
        )
        if definition.operation is not OperationType.SUBSCRIPTION:
            found[path.stem] = definition
    return found


class MissingExample(ValueError):
    """A required text has no example: an empty placeholder would be refused by the server."""


def _placeholder(graphql_type):
    """A value of `graphql_type` with only what is required filled in."""
    if isinstance(graphql_type, GraphQLNonNull):
        return _placeholder(graphql_type.of_type)
    if isinstance(graphql_type, GraphQLList):
        return []
    if isinstance(graphql_type, GraphQLEnumType):
        return next(iter(graphql_type.values))
    if isinstance(graphql_type, GraphQLInputObjectType):
        return {
            name: _placeholder(field.type)
            for name, field in graphql_type.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        }
    placeholders = {"ID": "1", "Int": 0, "Float": 0.0, "Boolean": False}
    if graphql_type.name not in placeholders:
        raise MissingExample(graphql_type.name)
    return placeholders[graphql_type.name]


def example_variables(name, definition, schema) -> dict:
    if name in EXAMPLES:
        return EXAMPLES[name]
    try:
        return {
            variable.variable.name.value: _placeholder(type_from_ast(schema, variable.type))
            for variable in definition.variable_definitions or ()
            if isinstance(variable.type, NonNullTypeNode) and variable.default_value is None
        }
    except MissingExample as missing:
        raise MissingExample(
            f"{name} needs a {missing} value: add its example to EXAMPLES in {__file__}"
        ) from None


def test_script(name) -> list[str]:
    lines = [
        "const VARIABLE = pm.collectionVariables.get.bind(pm.collectionVariables);",
        "const answer = pm.response.json();",
        f'const payload = (answer.data || {{}})["{name}"];',
        'pm.test("answered without errors", () => pm.expect(answer.errors).to.be.undefined);',
        # A refused mutation answers with OperationInfo: its messages say why.
        'pm.test("not refused", () => '
        "pm.expect((payload || {}).messages, JSON.stringify(payload)).to.be.undefined);",
    ]
    lines += [
        f'pm.test("answers {check}", () => pm.expect({check}, JSON.stringify(payload)).to.be.true);'
        for check in CHECKS.get(name, ["payload !== null && payload !== undefined"])
    ]
    for variable, field in STORES.get(name, {}).items():
        lines.append(
            f"if (payload && payload.{field} !== undefined) "
            f'pm.collectionVariables.set("{variable}", String(payload.{field}));'
        )
    return lines


def request_item(name, document, variables) -> dict:
    variables_text = json.dumps(variables, indent=2)
    for quoted in UNQUOTED:
        variables_text = variables_text.replace(quoted, quoted.strip('"'))
    item = {
        "name": name,
        "event": [
            {"listen": "test", "script": {"type": "text/javascript", "exec": test_script(name)}}
        ],
        "request": {
            "method": "POST",
            "header": [{"key": "Content-Type", "value": "application/json"}],
            "body": {
                "mode": "graphql",
                "graphql": {"query": document, "variables": variables_text},
            },
            "url": {
                "raw": "{{baseUrl}}/graphql/",
                "host": ["{{baseUrl}}"],
                "path": ["graphql", ""],
            },
        },
    }
    if name in PUBLIC:
        item["request"]["auth"] = {"type": "noauth"}
    return item


def ordered(names) -> list[str]:
    rest = sorted(set(names) - set(FIRST) - set(LAST))
    return [name for name in [*FIRST, *rest, *LAST] if name in names]


def collection() -> dict:
    schema = build_schema((OPERATIONS / "schema.graphql").read_text())
    found = operations()
    return {
        "info": {
            "name": "Stride GraphQL",
            "description": (
                "Every HTTP operation of graphql-queries/. Set baseUrl, then run top to bottom: "
                "tokenAuth (or register) stores the access token that the other requests send "
                "as a Bearer token. Generated by scripts/postman_collection.py."
            ),
            "schema": POSTMAN_SCHEMA,
        },
        "auth": {
            "type": "bearer",
            "bearer": [{"key": "token", "value": "{{access}}", "type": "string"}],
        },
        "variable": [{"key": key, "value": value} for key, value in VARIABLES.items()],
        "item": [
            request_item(
                name,
                (OPERATIONS / f"{name}.graphql").read_text(),
                example_variables(name, found[name], schema),
            )
            for name in ordered(found)
        ],
    }


def main():
    COLLECTION.write_text(json.dumps(collection(), indent=2, ensure_ascii=False) + "\n")
    print(f"Wrote {COLLECTION.relative_to(ROOT)}.", file=sys.stderr)


if __name__ == "__main__":
    main()
