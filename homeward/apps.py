from django.apps import AppConfig


class HomewardConfig(AppConfig):
    name = "homeward"
    verbose_name = "Homeward"
