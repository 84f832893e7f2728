"""Pages of the tree: browse, search, a node, a person, the forms and the roster import.

Every view starts with the access helper (NotFound outside one's reach) and changes
state only through the services.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q, QuerySet
from django.forms import BaseForm as Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from shuping.accounts.access import (
    WRITE_ROLES,
    can_manage,
    get_organization_for,
    get_person_for,
    grants,
    is_admin,
    org_scope_q,
    visible_organizations,
)
from shuping.lib import import_errors
from shuping.lib.errors import DomainError, NotFound
from shuping.lib.import_errors import RowError
from shuping.lib.keyset import keyset_page
from shuping.organizations import services
from shuping.organizations.forms import (
    ImportForm,
    MoveForm,
    OrganizationForm,
    PersonForm,
    SecretaryForm,
    TransferForm,
)
from shuping.organizations.models import Organization, Person
from shuping.organizations.queries import (
    PERSON_ORDER,
    ancestors,
    people_by_category,
    reachable_roots,
    search_people,
    visible_children,
    with_counts,
)
from shuping.organizations.roster_export import stream_roster, template
from shuping.organizations.roster_import import import_roster
from shuping.organizations.roster_read import RosterInvalid

PAGE_SIZE = 50


# ---------------------------------------------------------------- helpers


def apply_domain_error(form: Form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def can_import(user: Any) -> bool:
    return is_admin(user) or bool(grants(user, WRITE_ROLES))


# ---------------------------------------------------------------- tree


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context: dict[str, Any] = {"query": query, "can_import": can_import(request.user)}
    if query:
        results = with_counts(
            list(
                visible_organizations(request.user)
                .filter(name__icontains=query)
                .select_related("secretary")
                .order_by("path")[:100]
            ),
            request.user,
        )
        ids = {pk for org in results for pk in org.ancestor_ids()}
        names = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name"))
        for org in results:
            org.trail = " › ".join(names.get(pk, "") for pk in org.ancestor_ids())  # type: ignore[attr-defined]
        context["results"] = results
    else:
        roots = with_counts(reachable_roots(request.user), request.user)
        context["roots"] = [(root, visible_children(request.user, root)) for root in roots]
    return render(request, "organizations/tree.html", context)


@login_required
@require_GET
def children(request: HttpRequest, pk: int) -> HttpResponse:
    """The children of a node as an HTML fragment, fetched when a node is expanded."""
    org = get_organization_for(request.user, pk)
    return render(
        request,
        "organizations/_children.html",
        {"nodes": visible_children(request.user, org)},
    )


@login_required
@require_GET
def node(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_organization_for(request.user, pk)
    org = Organization.objects.select_related("parent", "secretary", "deputy_secretary").get(
        pk=org.pk
    )
    query = request.GET.get("q", "").strip()
    subtree = request.GET.get("all") == "1"
    people: QuerySet[Person] = Person.objects.filter(
        org.subtree_q("organization__") if subtree else Q(organization=org)
    )
    if subtree:  # a reporter reaches its own node only, not the branches below it
        people = people.filter(org_scope_q(request.user, prefix="organization__"))
    people = people.select_related("organization")
    if query:
        people = search_people(people, query)
    # Paged by key, not by number: the last page of a province costs what the first does.
    page = keyset_page(
        people,
        PERSON_ORDER,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        last=request.GET.get("page") == "last",
        size=PAGE_SIZE,
    )
    context = {
        "org": org,
        "ancestors": ancestors(request.user, org),
        "committee": list(
            org.committee_members.exclude(
                pk__in=[org.secretary_id or 0, org.deputy_secretary_id or 0]
            )
        ),
        "children": visible_children(request.user, org),
        "people_counts": people_by_category(org, request.user),
        "page": page,
        "query": query,
        "subtree": subtree,
        "can_manage": can_manage(request.user, org),
        "page_query": urlencode(
            {k: v for k, v in (("q", query), ("all", "1" if subtree else "")) if v}
        ),
    }
    return render(request, "organizations/node.html", context)


@login_required
@require_GET
def person(request: HttpRequest, pk: int) -> HttpResponse:
    p = get_person_for(request.user, pk)
    context = {
        "person": p,
        "memberships": list(p.memberships.select_related("organization").order_by("started_on")),
        "posts": list(p.secretary_of.all()),
        "deputy_of": list(p.deputy_secretary_of.all()),
        "committee_of": list(
            Organization.objects.filter(committee_members=p)
            .exclude(secretary=p)
            .exclude(deputy_secretary=p)
        ),
        "can_manage": p.organization is not None and can_manage(request.user, p.organization),
    }
    return render(request, "organizations/person.html", context)


# ---------------------------------------------------------------- forms


def _form_page(
    request: HttpRequest, form: Form, *, title: str, org: Organization | None, back: str
) -> HttpResponse:
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": title, "org": org, "back": back},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_create(request: HttpRequest, pk: int) -> HttpResponse:
    parent = get_organization_for(request.user, pk, write=True)
    form = OrganizationForm(request.POST or None, initial={"sector": parent.sector})
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organization(
                actor=request.user, parent=parent, **form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已新建“{org.name}”。")
            return redirect("organizations:node", pk=org.pk)
    return _form_page(
        request, form, title=f"在“{parent.name}”下新建组织", org=parent, back=f"/org/{parent.pk}/"
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_organization_for(request.user, pk, write=True)
    form = OrganizationForm(request.POST or None, instance=org, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organization(org, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("organizations:node", pk=org.pk)
    return _form_page(request, form, title=f"编辑“{org.name}”", org=org, back=f"/org/{org.pk}/")


@login_required
@require_http_methods(["GET", "POST"])
def organization_move(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_organization_for(request.user, pk, write=True)
    if org.parent_id is None:
        raise NotFound()
    targets = (
        Organization.objects.filter(org_scope_q(request.user, roles=WRITE_ROLES), is_active=True)
        .exclude(org.subtree_q())
        .exclude(pk=org.parent_id)
        .order_by("path")
    )
    form = MoveForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            services.move_organization(
                org, actor=request.user, new_parent=form.cleaned_data["new_parent"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已移动到新的上级组织。")
            return redirect("organizations:node", pk=org.pk)
    return _form_page(request, form, title=f"移动“{org.name}”", org=org, back=f"/org/{org.pk}/")


@login_required
@require_http_methods(["GET", "POST"])
def secretary(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_organization_for(request.user, pk, write=True)
    candidates = (
        Person.objects.filter(org.subtree_q("organization__"))
        .filter(
            Q(organization=org)
            | Q(pk=org.secretary_id)
            | Q(pk=org.deputy_secretary_id)
            | Q(committee_of=org)
        )
        .distinct()
        .order_by("name")
    )
    form = SecretaryForm(
        request.POST or None,
        candidates=candidates,
        initial={
            "secretary": org.secretary_id,
            "deputy_secretary": org.deputy_secretary_id,
            "committee_members": list(org.committee_members.values_list("pk", flat=True)),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # the three posts change together or not at all
                services.set_secretary(org, actor=request.user, person=data["secretary"])
                services.update_organization(
                    org, actor=request.user, deputy_secretary=data["deputy_secretary"]
                )
                services.set_committee(
                    org, actor=request.user, members=list(data["committee_members"])
                )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已更新班子成员。")
            return redirect("organizations:node", pk=org.pk)
    return _form_page(
        request, form, title=f"班子成员 · {org.name}", org=org, back=f"/org/{org.pk}/"
    )


@sensitive_post_parameters("id_number", "phone")
@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_organization_for(request.user, pk, write=True)
    form = PersonForm(request.POST or None, initial={"category": "member"})
    if request.method == "POST" and form.is_valid():
        try:
            p = services.create_person(
                actor=request.user, organization=org, **form.service_fields()
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已添加“{p.name}”。")
            return redirect("organizations:person", pk=p.pk)
    return _form_page(
        request, form, title=f"添加人员 · {org.name}", org=org, back=f"/org/{org.pk}/"
    )


@sensitive_post_parameters("id_number", "phone")
@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    p = get_person_for(request.user, pk, write=True)
    form = PersonForm(request.POST or None, instance=p)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(p, actor=request.user, **form.service_fields())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("organizations:person", pk=p.pk)
    return _form_page(
        request, form, title=f"编辑人员 · {p.name}", org=p.organization, back=f"/org/person/{p.pk}/"
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    p = get_person_for(request.user, pk, write=True)
    targets = (
        Organization.objects.filter(org_scope_q(request.user, roles=WRITE_ROLES), is_active=True)
        .exclude(pk=p.organization_id or 0)
        .order_by("path")
    )
    form = TransferForm(request.POST or None, targets=targets, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_member(
                p,
                actor=request.user,
                to=form.cleaned_data["to"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "组织关系已转接。")
            return redirect("organizations:person", pk=p.pk)
    return _form_page(
        request,
        form,
        title=f"组织关系转接 · {p.name}",
        org=p.organization,
        back=f"/org/person/{p.pk}/",
    )


# ---------------------------------------------------------------- roster


def _xlsx(filename: str, content_type: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def roster_import(request: HttpRequest) -> HttpResponse:
    if not can_import(request.user):
        raise NotFound()
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[RowError] = []
    listed = 0
    if request.method == "POST" and form.is_valid():
        import_errors.forget(request, ROSTER_ERRORS)
        try:
            result = import_roster(form.cleaned_data["file"].read(), actor=request.user)
        except RosterInvalid as exc:
            errors = exc.errors
            if len(errors) > ERRORS_SHOWN:
                listed = import_errors.keep(request, ROSTER_ERRORS, errors)
        else:
            if result.changed:
                messages.success(request, "导入完成：" + result.summary())
            else:
                messages.info(request, "导入完成：文件与系统中的数据相同，没有变化。")
            return redirect("organizations:import")
    exports = [g.organization for g in grants(request.user, WRITE_ROLES)]
    return render(
        request,
        "organizations/import.html",
        {
            "form": form,
            "errors": errors[:ERRORS_SHOWN],
            "error_count": len(errors),
            "errors_cut": len(errors) > ERRORS_SHOWN,
            "listed": listed,
            "exports": exports,
        },
        status=400 if errors else 200,
    )


# A bad file's page lists the first errors; the whole list is a download, so a file
# with 100,000 bad rows does not produce a page of many megabytes.
ERRORS_SHOWN = 200


ROSTER_ERRORS = "roster"


@login_required
@require_GET
def roster_errors(request: HttpRequest) -> HttpResponse:
    """The whole error list of this user's last refused roster (the first
    import_errors.MAX_KEPT of them), kept in the session like the other imports'."""
    if not can_import(request.user):
        raise NotFound()
    return import_errors.download_kept(request, ROSTER_ERRORS, filename="花名册错误清单.xlsx")


@login_required
@require_GET
def roster_template(request: HttpRequest) -> HttpResponse:
    if not can_import(request.user):
        raise NotFound()
    return _xlsx(*template())


@login_required
@require_GET
def roster_export(request: HttpRequest, pk: int) -> FileResponse:
    org = get_organization_for(request.user, pk, write=True)
    # Streamed from a temporary file: a province's roster never sits in memory.
    filename, content_type, out = stream_roster(org, viewer=request.user)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=content_type)
