from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "shuping.rounds"
    verbose_name = "述职评议考核方案"
