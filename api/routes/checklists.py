"""``GET /v1/checklists`` and ``GET /v1/checklists/{id}``: the payer-shaped checklists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import PrincipalDep
from api.examples import response_examples
from api.problems import ProblemError
from api.schemas import ChecklistsPublic, ChecklistSummary
from assistant.checks import load_registry
from assistant.checks.schema import Checklist

router = APIRouter(prefix="/v1/checklists", tags=["checklists"])


@router.get("", response_model=ChecklistsPublic, responses=response_examples("checklists"))
async def list_checklists(_caller: PrincipalDep) -> ChecklistsPublic:
    """Every checklist with its version and scope."""
    data = [
        ChecklistSummary(
            id=c.id,
            version=c.version,
            title=c.title,
            elements=len(c.elements),
            families=list(c.scope.families) if c.scope.families != "any" else "any",
            mode=c.scope.mode,
        )
        for c in load_registry().all()
    ]
    return ChecklistsPublic(data=data, count=len(data))


@router.get(
    "/{checklist_id}",
    response_model=Checklist,
    responses={**response_examples("checklist"), 404: {"description": "No such checklist."}},
)
async def get_checklist(
    checklist_id: Annotated[str, Path(max_length=100, examples=["trigger_point"])],
    _caller: PrincipalDep,
) -> Checklist:
    """One checklist in full: elements, sources, fixes, queries and examples."""
    registry = load_registry()
    if checklist_id not in registry.checklists:
        raise ProblemError(404, f"No checklist {checklist_id!r}.", slug="not-found")
    return registry.get(checklist_id)
