def test_create_and_list_task(as_alice, project):
    created = as_alice.run("createTask", input={"title": "First", "projectId": str(project.id)})
    assert created["title"] == "First"
    page = as_alice.run("tasks")
    assert page["totalCount"] == 1
    assert page["results"][0]["project"]["name"] == "Launch"
