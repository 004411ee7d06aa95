"""The merges managers made, and undoing one. A merge is listed only when the person kept is in
the user's scope (Merge.objects.visible_to); the dropped person's name comes from the merge record,
never from the registry, and once the merge is undone only when that person is in scope
(merges.models.shown_to)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from merges import actions
from merges.models import Merge, shown_to
from registry.models import Person


def _merges_for(user):
    # Only deciders have a merges page; for everyone else it does not exist.
    if not user.can_decide_selection:
        raise Http404
    return Merge.objects.visible_to(user).select_related("created_by", "undone_by")


@login_required
def merge_list(request):
    page = Paginator(_merges_for(request.user), 25).get_page(request.GET.get("page"))
    rows = shown_to(request.user, list(page.object_list))
    return render(request, "merges/list.html", {"page": page, "rows": rows})


@login_required
@require_POST
def merge_undo(request, pk):
    merge = get_object_or_404(_merges_for(request.user), pk=pk)
    try:
        actions.undo_merge(merge, acting_user=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("The merge was undone."))
    except (Merge.DoesNotExist, Person.DoesNotExist):
        raise Http404
    except PermissionDenied as e:
        messages.error(request, str(e))
    except ValidationError as e:
        for texts in e.message_dict.values():
            for text in texts:
                messages.error(request, text)
    return redirect("review:merges")
