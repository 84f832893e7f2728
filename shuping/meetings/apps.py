from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "shuping.meetings"
    verbose_name = "述职评议会与民主测评"
