"""Several processes, one /metrics: a worker and a web process sharing PROMETHEUS_MULTIPROC_DIR,
the web process serves the worker's task outcomes and the queue's length."""

from backend.jobs.models import Job
from backend.jobs.services import submit_job
from tests.live_server import LiveServer
from tests.operating.support import samples, value
from tests.workers.conftest import wait_for


def test_task_outcomes_of_a_worker_show_in_the_web_process_metrics(
    start_worker, real_broker, alice, tmp_path
):
    shared = tmp_path / "prometheus"
    shared.mkdir()
    server = LiveServer(PROMETHEUS_MULTIPROC_DIR=str(shared)).start()
    try:
        job = submit_job(actor=alice, title="Counted")
        queued = samples(server.url)
        assert value(queued, "stride_celery_queue_length", queue=real_broker) == 1

        start_worker(PROMETHEUS_MULTIPROC_DIR=str(shared), JOB_PROCESS_FAILURE_RATE="0")
        wait_for(lambda: Job.objects.get(id=job.id).is_finished, message="the job")

        def counted():
            found = samples(server.url)
            labels = {"task": "stride.jobs.process", "outcome": "succeeded"}
            return value(found, "stride_celery_tasks_total", **labels) == 1 and found

        found = wait_for(counted, message="the task's outcome in /metrics")
        assert (
            value(found, "stride_celery_task_duration_seconds_count", task="stride.jobs.process")
            == 1
        )
        assert value(found, "stride_celery_queue_length", queue=real_broker) == 0
    finally:
        server.stop()
