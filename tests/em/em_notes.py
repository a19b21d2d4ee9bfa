"""Hand-written, PHI-free office/consult/procedure-day notes for the E/M tests."""

from __future__ import annotations

from functools import cache

from assistant.layout import NoteLayout
from assistant.reader.read import read_layout


@cache
def layout(text: str) -> NoteLayout:
    """The reader's sections and ConText scopes of a test note (read once per text)."""
    return read_layout(text)


# Straightforward: one minor problem, nothing reviewed, no management risk.
STRAIGHTFORWARD = """\
CHIEF COMPLAINT: Bruise on the left forearm.
HISTORY OF PRESENT ILLNESS: Bumped the forearm on a cabinet door two days ago.
PHYSICAL EXAMINATION: Small ecchymosis, no deformity, full range of motion.
ASSESSMENT: Contusion of the left forearm, minor and self-limited.
PLAN: Reassurance. Return as needed.
"""

# Low: one stable chronic illness; physical therapy continued (low risk); no data.
LOW = """\
HISTORY OF PRESENT ILLNESS: Follow-up for chronic neck pain. Doing her home exercises.
PHYSICAL EXAMINATION: Mild paraspinal tenderness. Strength 5/5.
ASSESSMENT: Cervical spondylosis, stable.
PLAN: Continue physical therapy twice weekly. Follow up in three months.
"""

# Moderate: chronic illness worsening + prescription drug management; data limited.
MODERATE = """\
HISTORY OF PRESENT ILLNESS: Low back pain radiating to the right leg has worsened over the
past month despite gabapentin.
PHYSICAL EXAMINATION: Positive straight leg raise on the right.
ASSESSMENT:
1. Lumbar radiculopathy, worsening.
PLAN: Increase gabapentin to 600 mg three times daily. Follow up in four weeks.
"""

# High: a threat to bodily function (new foot drop) + decision regarding hospitalization.
HIGH = """\
HISTORY OF PRESENT ILLNESS: Two days of progressive weakness of the left foot and new foot
drop after lifting.
PHYSICAL EXAMINATION: Left ankle dorsiflexion 2/5.
ASSESSMENT: Acute lumbar radiculopathy with new foot drop.
PLAN: I recommended hospital admission for urgent MRI and spine surgery evaluation; sent
directly to the emergency department.
"""

# Moderate problems (2 stable chronic) + moderate data (3 unique tests) + minimal risk.
TWO_OF_THREE_MODERATE = """\
HISTORY OF PRESENT ILLNESS: Follow-up of neck and knee pain.
ASSESSMENT:
1. Cervical spondylosis, stable.
2. Osteoarthritis of the right knee, stable.
PLAN: I reviewed the cervical MRI, which shows mild foraminal narrowing. I ordered a right
knee x-ray and a CBC. Return after the studies.
"""

# Moderate problems only: limited data (2 tests), no management -> low (2 of 3 rule).
ONE_OF_THREE_MODERATE = """\
HISTORY OF PRESENT ILLNESS: Follow-up of neck and knee pain.
ASSESSMENT:
1. Cervical spondylosis, stable.
2. Osteoarthritis of the right knee, stable.
PLAN: I ordered a right knee x-ray and a CBC. Return after the studies.
"""

NEGATED_DATA = """\
HISTORY OF PRESENT ILLNESS: Follow-up of low back pain, unchanged.
ASSESSMENT: Lumbar spondylosis, stable.
PLAN: No labs reviewed. No imaging was reviewed today. If symptoms persist, will order an
MRI of the lumbar spine. Follow up in three months.
"""

TIME_TEMPLATE = """\
HISTORY OF PRESENT ILLNESS: Follow-up of low back pain.
ASSESSMENT: Lumbar spondylosis, stable.
PLAN: Follow up in three months.
{time}
"""

# Established patient on chronic opioids: regimen continued with PDMP and UDS documented.
OPIOID_PARTIAL = """\
HISTORY OF PRESENT ILLNESS: Chronic low back pain on long-term opioid therapy, stable.
ASSESSMENT: Chronic low back pain, stable on current regimen.
PLAN: Continue oxycodone 5 mg every 8 hours, #90, refilled today. PDMP reviewed today and
consistent. Urine drug screen collected today.
"""

OPIOID_COMPLETE = """\
HISTORY OF PRESENT ILLNESS: Chronic low back pain on long-term opioid therapy.
ASSESSMENT: Chronic low back pain, stable on current regimen.
PLAN: Continue oxycodone 5 mg every 8 hours. PDMP reviewed. Urine drug screen collected
today. Opioid treatment agreement on file. Total daily dose 22.5 MME. Functional goals:
walking 30 minutes daily, met. Opioid Risk Tool score low. Naloxone prescribed.
"""

OPIOID_LIST_ONLY = """\
HISTORY OF PRESENT ILLNESS: Knee pain after a fall.
MEDICATIONS: Oxycodone 5 mg as needed (from another prescriber), lisinopril.
ASSESSMENT: Right knee sprain, stable.
PLAN: Physical therapy referral.
"""

# Same-day E/M + lumbar TFESI where the E/M only covers the decision to inject.
PROCEDURE_ONLY = """\
HISTORY OF PRESENT ILLNESS: Returns for the scheduled right L5-S1 transforaminal epidural
steroid injection for lumbar radiculopathy.
PHYSICAL EXAMINATION: Positive straight leg raise on the right.
ASSESSMENT: Lumbar radiculopathy.
PLAN: Proceed with the injection as planned. Consent obtained.
PROCEDURE: Right L5-S1 transforaminal epidural steroid injection under fluoroscopy.
Complications: none.
"""

# Same-day E/M + TFESI with a separate problem managed (neuropathic medication change).
PROCEDURE_WITH_SEPARATE = """\
HISTORY OF PRESENT ILLNESS: Returns for the scheduled right L5-S1 transforaminal epidural
steroid injection. Also reports burning pain in both feet from diabetic neuropathy that is
not controlled on gabapentin.
PHYSICAL EXAMINATION: Decreased sensation in both feet.
ASSESSMENT:
1. Lumbar radiculopathy.
2. Diabetic peripheral neuropathy, uncontrolled.
PLAN: Proceed with the injection. Stop gabapentin and start duloxetine 30 mg daily for the
neuropathy.
PROCEDURE: Right L5-S1 transforaminal epidural steroid injection under fluoroscopy.
Complications: none.
"""
