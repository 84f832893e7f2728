from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "shuping.organizations"
    verbose_name = "党组织与党员"
