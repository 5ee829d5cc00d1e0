"""English of the items in ``items_family`` (see ``dsl.english`` for the keys)."""

from __future__ import annotations

from typing import Any

EN: dict[str, dict[str, Any]] = {}

EN["birth-certificate"] = {
    "summary": "For babies born in a Zhongshan maternity hospital, the hospital issues the "
    "medical birth certificate (with an electronic copy). You need it to register the birth "
    "and enrol the baby in insurance.",
    "conditions": "The baby was born in a Zhongshan hospital licensed for childbirth, and "
    "the parents' identity details are complete.",
    "basis": "Maternal and Infant Health Care Law of the PRC, Article 23",
    "review": "The baby's birth details and the parents' identity are checked, and the "
    "parents sign to confirm them.",
    "location": "The birth certificate office of the hospital where the baby was born. For "
    "a replacement or a new copy, go to Window C18, Zone C, Zhongshan City Administrative "
    "Service Centre, 22 Bo'ai 6th Road, East District, Zhongshan",
    "result": "Medical birth certificate",
    "materials": {
        "M-ID-CARD": "Both parents' resident identity cards.",
        "M-BIRTH-CERT-FORM": (
            "Registration form for the first medical birth certificate",
            "Checked and signed by the parents.",
        ),
    },
    "faqs": [
        (
            "Can the baby's name be changed after the certificate is issued?",
            "As a rule, no. If a change is truly needed, first change the name in the "
            "household register at the police station, then take the proof to the hospital "
            "that issued the certificate for a new one.",
        ),
    ],
}

EN["vaccination-card"] = {
    "summary": "Within a month of birth, a guardian gets the child a vaccination record card "
    "at the vaccination clinic where they live or at the hospital of birth.",
    "conditions": "Children living in Zhongshan, including children of families who moved here.",
    "basis": "Vaccine Administration Law of the PRC, Article 47",
    "review": "The child's and guardian's details are checked and a vaccination record is opened.",
    "reason": "Bring the child to the clinic at the first vaccination so the card can be made",
    "location": "The vaccination clinic of the hospital of birth or of the community health "
    "centre where you live",
    "result": "Vaccination record card",
    "materials": {"M-ID-CARD": "The guardian's resident identity card."},
    "faqs": [
        (
            "We moved to Zhongshan from another city. What about the vaccination card?",
            "Take the old card to the vaccination clinic where you now live and register; "
            "vaccinations then continue.",
        ),
    ],
}

EN["public-hygiene-permit"] = {
    "summary": "Hotels, hair and beauty salons, swimming pools, bath houses and other public "
    "venues apply for a hygiene permit before they open.",
    "conditions": "The layout and hygiene facilities meet the hygiene standards; staff have "
    "health certificates; and there are hygiene rules.",
    "basis": "Regulations on Hygiene in Public Venues, Articles 4 and 8; Implementing Rules "
    "of the Regulations on Hygiene in Public Venues, Article 22",
    "review": "The hygiene facilities, layout and hygiene rules are reviewed.",
    "inspect": "Officers check ventilation, the disinfection room, water supply and drainage, "
    "and linen storage.",
    "result": "Public venue hygiene permit",
    "materials": {
        "M-HYGIENE-FORM": ("Public venue hygiene permit application", "Fill it in online."),
        "M-HYGIENE-RULES": (
            "Hygiene rules",
            "Including cleaning and disinfection, and staff health.",
        ),
    },
    "faqs": [
        (
            "Do restaurants and cafés need a hygiene permit?",
            "No. Restaurants, cafés, bars and tea houses no longer need one; they get a food "
            "business permit from the market regulation bureau.",
        ),
    ],
}

EN["food-worker-health"] = {
    "summary": "People who handle food that is eaten as it is have a health check every year "
    "and may start work only with a health certificate. You can look up the electronic "
    "certificate online.",
    "conditions": "People who handle, or will handle, food that is eaten as it is.",
    "basis": "Food Safety Law of the PRC, Article 45",
    "review": "You have the listed health checks; if you have no illness that endangers food "
    "safety, the certificate is issued.",
    "reason": "You must go to the clinic in person for the check and samples",
    "location": "Zhongshan Centre for Disease Control and Prevention, and the health check "
    "points of the community health centres in every town and street",
    "result": "Health certificate for food handlers",
    "faqs": [
        (
            "How long is the health certificate valid?",
            "One year. Have a new check before it expires; the electronic certificate is "
            "then updated.",
        ),
    ],
}

EN["birth-registration"] = {
    "summary": "Couples having a child can register the birth plan before or during "
    "pregnancy or after the birth. It entitles them to the support for having children.",
    "conditions": "At least one partner is registered in Zhongshan or holds a Zhongshan "
    "residence permit.",
    "basis": "Population and Family Planning Law of the PRC, Articles 18 and 20",
    "review": "The couple's identity is checked and the registration completed.",
    "materials": {"M-ID-CARD": "Both partners' resident identity cards."},
    "faqs": [
        (
            "Does not registering affect the baby's household registration?",
            "No. This registration is a service: it has no conditions and is not linked to "
            "the household registration.",
        ),
    ],
}

EN["resident-medical-registration"] = {
    "summary": "Zhongshan residents not in employee medical insurance, people living here "
    "with a residence permit, and students enrol in resident medical insurance. Newborns "
    "can be enrolled in the Having a baby one-stop service.",
    "conditions": "You are not in employee basic medical insurance, and you are registered "
    "in Zhongshan or hold a Zhongshan residence permit.",
    "basis": "Social Insurance Law of the PRC, Article 25",
    "review": "Your identity and insurance are checked so that nobody is insured twice.",
    "result": "Insurance enrolment",
    "materials": {
        "M-ID-CARD": "Your own resident identity card; for a newborn, the household register "
        "or birth certificate details.",
    },
    "faqs": [
        (
            "When should a newborn be enrolled?",
            "If you enrol and pay within 90 days of birth, the baby is covered from the day "
            "of birth.",
        ),
    ],
}

EN["employer-medical"] = {
    "summary": "A new employer enrols its workers in employee basic medical insurance and "
    "maternity insurance.",
    "conditions": "Employers with a business licence that have registered for social insurance.",
    "basis": "Social Insurance Law of the PRC, Articles 23 and 57",
    "review": "The employer's registration is checked and contributions for employee "
    "medical insurance are opened.",
    "result": "Employer medical insurance registration",
    "faqs": [
        (
            "Do employee medical insurance and maternity insurance need separate registrations?",
            "No. The two have been merged: one registration covers both.",
        ),
    ],
}

EN["remote-medical-filing"] = {
    "summary": "Insured people who live or work elsewhere for a long time, or go elsewhere "
    "for treatment, register in advance so that their medical bills are settled directly.",
    "conditions": "You are in Zhongshan's basic medical insurance and entitled to benefits.",
    "basis": "Social Insurance Law of the PRC, Article 29",
    "review": "Your insurance and the kind of registration are checked; it takes effect at once.",
    "result": "Receipt of registration for treatment elsewhere",
    "materials": {
        "M-ID-CARD": "Resident identity card or electronic medical insurance certificate.",
        "M-REMOTE-COMMIT": (
            "Statement of long-term residence elsewhere",
            "Signed online when you register because you live elsewhere for a long time.",
        ),
    },
    "faqs": [
        (
            "What if I only notice after leaving hospital that I did not register?",
            "Register before the bill is settled and it is settled directly. If you have "
            "already left, claim the costs back in Zhongshan as the rules allow.",
        ),
    ],
}

EN["retiree-medical"] = {
    "summary": "When an insured worker retires, the years of medical insurance "
    "contributions are confirmed, and with them the right to employee medical insurance "
    "after retirement.",
    "conditions": "You have retired and receive a basic pension, and your employee medical "
    "insurance contributions reach the years Zhongshan requires.",
    "basis": "Social Insurance Law of the PRC, Article 27",
    "review": "Your years of employee medical insurance contributions, and years counted as "
    "contributions, are checked.",
    "result": "Decision on medical insurance for a retiree",
    "materials": {
        "M-RETIREMENT-APPROVAL": (
            "Retirement approval",
            "Not needed if the human resources bureau has shared it.",
            "Issued by the human resources and social security bureau",
        ),
    },
    "faqs": [
        (
            "What if I have not paid contributions for enough years?",
            "You can keep paying, or pay the missing years at once as the rules allow; you "
            "then receive retirees' medical insurance.",
        ),
    ],
}

EN["school-entry"] = {
    "summary": "Children of school age go to a nearby school without an entrance test, "
    "where their household is registered or where they live. Children of families who moved "
    "here can apply under the points system.",
    "conditions": "The child is 6 by 31 August. Children registered in Zhongshan go to the "
    "school of their catchment area; children of families who moved here apply under the "
    "points system with a residence permit.",
    "basis": "Compulsory Education Law of the PRC, Articles 11 and 12",
    "review": "Household registration, housing and residence permit are checked, and places "
    "are given by catchment area and points.",
    "promised_note": "Results are published on the year's admission timetable (usually in July)",
    "quantity": "One application per child",
    "result": "Admission notice",
    "materials": {
        "M-PROPERTY-CERT": "For children registered in Zhongshan who apply by the home in "
        "the catchment area.",
        "M-RESIDENCE-PERMIT": "The residence permit of one parent, for children of families "
        "who moved here.",
    },
    "faqs": [
        (
            "How do children of families who moved here get a school place?",
            "Children whose parents hold a Guangdong residence permit apply under the points "
            "system; public school places go to the highest points first.",
        ),
    ],
}

EN["teacher-certification"] = {
    "summary": "People who passed the national teacher qualification exam, or need not take "
    "it, apply for a kindergarten, primary or junior secondary teacher qualification.",
    "conditions": "You obey the constitution and the law and care about education; you have "
    "the required education; you passed the teacher qualification exam; and you passed the "
    "Putonghua test and the medical.",
    "basis": "Teachers Law of the PRC, Articles 10, 11 and 13; Regulations on Teacher "
    "Qualifications, Article 13",
    "review": "The exam pass, education, Putonghua level and medical result are checked.",
    "location": "Apply online on the China Teacher Qualification website. For advice, go to "
    "Window C19, Zone C, Zhongshan City Administrative Service Centre, 22 Bo'ai 6th Road, "
    "East District, Zhongshan",
    "legal_note": "A conclusion within 30 statutory working days after the application "
    "period closes",
    "special": "The medical examination is not counted in the time limit",
    "result": "Teacher qualification certificate",
    "materials": {
        "M-TEACHER-EXAM": (
            "Proof of passing the teacher qualification exam",
            "Checked by the system; nothing to upload.",
            "Issued by the National Education Examinations Authority",
        ),
        "M-MEDICAL-REPORT": (
            "Medical examination form for teacher qualification",
            "A pass at the appointed hospital.",
            "Issued by an appointed hospital",
        ),
    },
    "faqs": [
        (
            "Can I apply in Zhongshan?",
            "Yes, if your household registration, residence permit or school is in "
            "Zhongshan: apply to the Zhongshan Education and Sports Bureau.",
        ),
    ],
}

EN["sino-foreign-preschool"] = {
    "summary": "Chinese and foreign partners who want to open a cooperative preschool in "
    "Zhongshan apply for approval to set it up.",
    "conditions": "The partners are legal persons; there are proper articles, premises, "
    "facilities and teachers; and the preschool is not run for profit.",
    "basis": "Regulations of the PRC on Chinese-Foreign Cooperation in Running Schools, "
    "Articles 11, 12 and 14",
    "review": "The partners' eligibility, the articles, premises and facilities, teachers "
    "and funding are reviewed.",
    "reason": "Bring the originals of the proof of premises and assets to be checked",
    "hours": "Monday to Friday, 9am to 12 noon and 1:30pm to 5pm (closed on public holidays)",
    "result": "Licence for Chinese-foreign cooperation in running a school",
    "materials": {
        "M-COOP-SCHOOL-FORM": (
            "Application to set up a Chinese-foreign cooperative school",
            "Signed by both the Chinese and the foreign partner.",
        ),
        "M-COOP-AGREEMENT": (
            "Cooperation agreement",
            "Stating how long the cooperation lasts and how disputes are settled.",
        ),
        "M-ARTICLES": "The articles of association of the cooperative school.",
        "M-PREMISES": "Title certificate or proof of the right to use the premises.",
    },
    "faqs": [
        (
            "Which level of government approves this?",
            "The Zhongshan Education and Sports Bureau, at the education and sports window "
            "of the City Administrative Service Centre.",
        ),
    ],
}
