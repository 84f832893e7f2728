from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "shuping.assessment"
    verbose_name = "综合评价"
