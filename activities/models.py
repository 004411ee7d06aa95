"""Activities (trainings, meetings, visits...) and community and infrastructure projects."""
