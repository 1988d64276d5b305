from backend.jobs.summaries import summarize_projects
from workers.celery import app


@app.task(name="stride.summaries.daily")
def summarize_projects_daily():
    """Beat, daily: yesterday's summary of every project, announced to its members."""
    return summarize_projects()
