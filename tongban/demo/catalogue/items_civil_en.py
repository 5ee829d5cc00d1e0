"""English of the items in ``items_civil`` (see ``dsl.english`` for the keys)."""

from __future__ import annotations

from typing import Any

EN: dict[str, dict[str, Any]] = {}

GJJ_RULES = "Regulations on the Administration of Housing Provident Funds"

EN["marriage"] = {
    "summary": "A man and a woman who want to marry go together in person to a marriage "
    "registration office and receive their marriage certificates on the spot. Any marriage "
    "registration office in the country can register you.",
    "conditions": "The man is at least 22 and the woman at least 20; both marry of their own "
    "free will; neither is married; and they are not related by direct blood or within "
    "three generations.",
    "basis": "Civil Code of the PRC, Articles 1046, 1047 and 1049; Regulations on Marriage "
    "Registration, Articles 5 and 7",
    "review": "Both identity cards and statements are checked and the couple are asked "
    "whether they wish to marry. If they qualify, the marriage is registered on the spot.",
    "reason": "Article 1049 of the Civil Code requires both partners to apply in person at "
    "the marriage registration office",
    "location": "Zhongshan Marriage Registration Office (ground floor, Civil Affairs "
    "Building, 25 Qiwan Road, East District, Zhongshan). You can book a time in the "
    "Yueshengshi app",
    "result": "Marriage certificate",
    "materials": {
        "M-ID-CARD": "Each partner's own valid resident identity card.",
        "M-MARRIAGE-DECLARATION": (
            "Statement applying for marriage registration",
            "Both partners sign it in front of the registrar, stating that neither is "
            "married and that they are not related in a way that forbids marriage.",
        ),
        "M-COUPLE-PHOTO": (
            "Recent photo of the couple together",
            "2 photos, 2-inch, head and shoulders, no hats, red background. Photos can be "
            "taken at the office.",
        ),
    },
    "faqs": [
        (
            "Do we need to bring the household register booklet?",
            "No. Under the revised Regulations on Marriage Registration, in force since 10 "
            "May 2025, your identity cards are enough at any marriage registration office in "
            "the country.",
        ),
    ],
}

EN["dibao"] = {
    "summary": "Households whose income per person is below Zhongshan's minimum living "
    "standard, and whose assets are within the limits, apply for the minimum living "
    "allowance (dibao).",
    "conditions": "Your household is registered in Zhongshan, its income per person is "
    "below Zhongshan's minimum living standard, and its assets are within the limits.",
    "basis": "Interim Measures for Social Assistance, Articles 9 and 11",
    "review": "The town or street office visits the household, checks the information and "
    "holds a community review; the civil affairs bureau confirms it; the result is "
    "published for 7 days.",
    "legal_note": "Reviewed and confirmed within 30 working days of acceptance",
    "special": "The 7-day public notice period is not counted in the time limit",
    "result": "Notice confirming the minimum living allowance",
    "materials": {
        "M-DIBAO-FORM": (
            "Minimum living allowance application",
            "Signed by the applicant; can be filled in online in the Yueshengshi app.",
        ),
        "M-ID-CARD": "Resident identity cards of every member of the household.",
    },
    "faqs": [
        (
            "What is Zhongshan's minimum living standard?",
            "The single urban and rural standard the city government publishes each year. "
            "Look it up on the civil affairs bureau's website or in the Yueshengshi app.",
        ),
    ],
}

EN["social-organisation"] = {
    "summary": "Social organisations that work in Zhongshan apply for registration once "
    "their supervising body agrees.",
    "conditions": "At least 50 individual or 30 organisation members; a proper name and "
    "structure; a fixed address; and full-time staff and lawful assets suited to its "
    "activities (at least 30,000 yuan of funds).",
    "basis": "Regulations on the Registration and Administration of Social Organisations, "
    "Articles 9, 10 and 12",
    "review": "The supervising body's approval, draft articles, members, address and proof "
    "of funds are reviewed.",
    "result": "Social organisation legal person registration certificate",
    "materials": {
        "M-SOCIAL-ORG-FORM": (
            "Application to register a social organisation",
            "Signed by the founders.",
        ),
        "M-SPONSOR-APPROVAL": (
            "Approval of the supervising body",
            "The original.",
            "Issued by the supervising body",
        ),
        "M-ARTICLES": "Draft articles of the social organisation, adopted by the general "
        "meeting of members.",
    },
    "faqs": [
        (
            "Do trade associations and chambers of commerce need a supervising body?",
            "No. Trade associations, chambers of commerce, science and technology, charity "
            "and community service organisations can register directly.",
        ),
    ],
}

EN["funeral-relief"] = {
    "summary": "For residents registered in Zhongshan, and people living here who die in "
    "Zhongshan, basic funeral services (collecting, keeping and cremating the body, and "
    "keeping the ashes) are free. The cost is settled directly at the funeral home.",
    "conditions": "The deceased was registered in Zhongshan or held a Zhongshan residence "
    "permit, and is cremated at a Zhongshan funeral home.",
    "basis": "Regulations on Funeral Administration, Article 4; Guidance of the Ministry of "
    "Civil Affairs and eight other departments on Funeral Reform, Part 3",
    "review": "The death certificate and the household registration or residence permit "
    "are checked and the fees waived at once.",
    "reason": "The family arranges it at the funeral home when the cremation is arranged; "
    "the fees are waived there",
    "location": "Service hall of the Zhongshan Funeral Home",
    "hours": "Open 24 hours a day",
    "result": "Receipt for free basic funeral services",
    "materials": {"M-ID-CARD": "The resident identity card of the family member arranging it."},
    "faqs": [
        (
            "Do we pay first and claim the money back?",
            "No. Basic funeral services are free at the funeral home; the family pays only "
            "for extra services they choose.",
        ),
    ],
}

EN["disability-subsidies"] = {
    "summary": "Disabled people in households on the minimum living allowance who hold a "
    "second- or third-generation disability certificate claim the living subsidy; people "
    "with a grade 1 or 2 disability claim the care subsidy.",
    "conditions": "Registered in Zhongshan with a valid disability certificate. The living "
    "subsidy is for members of households on the minimum living allowance; the care "
    "subsidy for grade 1 or 2 disabilities.",
    "basis": "Law of the PRC on the Protection of Disabled Persons, Article 48; Opinions of "
    "the State Council on Living Subsidies for Disabled People in Difficulty and Care "
    "Subsidies for the Severely Disabled (State Council [2015] No. 52), Part 2",
    "review": "The disability certificate, the minimum living allowance and the household "
    "registration are checked; the subsidies are paid monthly.",
    "result": "Notice of the decision on the two subsidies",
    "materials": {
        "M-DISABILITY-CARD": (
            "Disability certificate",
            "Checked through data sharing; nothing to hand in.",
            "Issued by the Disabled Persons' Federation",
        ),
    },
    "faqs": [
        (
            "Can I receive both subsidies?",
            "Yes. Severely disabled people in households on the minimum living allowance "
            "who qualify receive both the living subsidy and the care subsidy.",
        ),
    ],
}

EN["gjj-employer-registration"] = {
    "summary": "A new employer registers for the housing provident fund within 30 days of "
    "being set up and opens an account for each worker.",
    "conditions": "Employers with a business licence or another registration certificate.",
    "basis": f"{GJJ_RULES}, Articles 14 and 15",
    "review": "The employer's registration and contribution rate are checked and its "
    "account is opened.",
    "result": "Housing provident fund registration (employer account number)",
    "materials": {
        "M-GJJ-EMPLOYER-FORM": (
            "Employer housing provident fund registration form",
            "Enter the contribution rate online.",
        ),
    },
    "faqs": [
        (
            "What contribution rate can we choose?",
            "Employer and worker each choose a rate between 5% and 12%.",
        ),
    ],
}

EN["gjj-purchase"] = {
    "summary": "Workers and their spouses who buy a home to live in, in Zhongshan or where "
    "their household is registered, withdraw the balance of their housing provident fund.",
    "conditions": "The purchase is real: the contract is signed online and filed, or you "
    "have the title certificate. The total withdrawn is no more than the price.",
    "basis": f"{GJJ_RULES}, Articles 24 and 25",
    "review": "The purchase and the household's withdrawal limit are checked.",
    "legal_note": "A decision to allow or refuse the withdrawal within 3 days of acceptance",
    "result": "Decision on the housing provident fund withdrawal",
    "materials": {"M-MARRIAGE-CERT": "If your spouse withdraws at the same time."},
    "faqs": [
        (
            "Can I withdraw everything at once?",
            "You can withdraw up to the price of the home, but one month's contributions "
            "must stay in the account, unless you take a provident fund loan.",
        ),
    ],
}

EN["gjj-retirement"] = {
    "summary": "Workers who retire withdraw the whole balance of their housing provident "
    "fund and close the account.",
    "conditions": "You have retired.",
    "basis": f"{GJJ_RULES}, Article 24, paragraph 1, item 2",
    "review": "Your retirement is checked; after interest is added, the whole balance is "
    "paid and the account closed.",
    "result": "Housing provident fund account closed and paid out",
    "materials": {
        "M-RETIREMENT-APPROVAL": (
            "Retirement approval",
            "Not needed if the human resources bureau has shared it.",
            "Issued by the human resources and social security bureau",
        ),
    },
    "faqs": [
        (
            "Does my employer need to stamp the application?",
            "No. Apply online yourself; the money goes straight to your own bank account.",
        ),
    ],
}

EN["gjj-employer-close"] = {
    "summary": "An employer that is closed, dissolved or bankrupt closes its housing "
    "provident fund account within 30 days.",
    "conditions": "All unpaid contributions for every worker are paid, and the workers' "
    "accounts are transferred or frozen.",
    "basis": f"{GJJ_RULES}, Article 14, paragraph 2",
    "review": "Unpaid contributions and what happened to the workers' accounts are checked.",
    "result": "Employer housing provident fund account closed",
    "materials": {
        "M-GJJ-CLOSE-FORM": (
            "Application to close the employer account",
            "Give the reason online.",
        ),
    },
    "faqs": [
        (
            "What happens to the workers' provident funds?",
            "The employer freezes them or transfers them to the new employer; workers can "
            "withdraw them as the rules allow.",
        ),
    ],
}

EN["disability-card"] = {
    "summary": "People who meet the disability standards are assessed and apply for the "
    "third-generation smart disability certificate. You can apply in any province.",
    "conditions": "A visual, hearing, speech, physical, intellectual or mental disability "
    "that meets the national standards.",
    "basis": "Law of the PRC on the Protection of Disabled Persons, Article 2; Measures for "
    "the Administration of Disability Certificates of the PRC, Articles 5 and 8",
    "review": "The disability assessment is reviewed, and the kind and grade of disability "
    "confirmed.",
    "reason": "You must go in person to an appointed hospital for the disability assessment",
    "special": "The disability assessment is not counted in the time limit",
    "intermediary": "Disability assessment (at an appointed hospital, free of charge)",
    "result": "Disability certificate of the PRC",
    "materials": {
        "M-DISABILITY-FORM": (
            "Disability certificate application",
            "Signed by you or your guardian.",
        ),
        "M-PHOTO": "Three recent 2-inch colour photos, no hat.",
        "M-DISABILITY-ASSESS": (
            "Disability assessment form",
            "Issued by the appointed hospital.",
            "Issued by the appointed assessment hospital",
        ),
    },
    "faqs": [
        (
            "Can I apply if my household is not registered in Zhongshan?",
            "Yes. New certificates, renewals and transfers can be applied for in any "
            "province: apply where you live.",
        ),
    ],
}

EN["legal-aid"] = {
    "summary": "People on low incomes, and others the law allows, can apply for free legal "
    "advice, representation and criminal defence.",
    "conditions": "You have no lawyer because you cannot afford one, and the matter is one "
    "that legal aid covers. Some groups need not show financial hardship.",
    "basis": "Legal Aid Law of the PRC, Articles 31, 41, 42 and 43",
    "review": "The matter and your financial situation are reviewed, and legal aid is "
    "granted or refused.",
    "location": "Legal aid window of the Zhongshan Public Legal Services Centre; or Window "
    "C25, Zone C, Zhongshan City Administrative Service Centre, 22 Bo'ai 6th Road, East "
    "District, Zhongshan",
    "legal_note": "A decision within 7 days of receiving the application",
    "result": "Decision granting legal aid",
    "materials": {
        "M-LEGAL-AID-FORM": ("Legal aid application", "Signed by the applicant."),
        "M-HARDSHIP-DECLARATION": (
            "Statement of financial hardship",
            "Your own promise that it is true; the legal aid office checks it.",
        ),
        "M-CASE-MATERIALS": (
            "Papers about the matter",
            "For example the statement of claim, the judgment or the employment contract.",
        ),
    },
    "faqs": [
        (
            "Who need not prove financial hardship?",
            "Minors, older people and disabled people without a steady income, people "
            "receiving social assistance or special care, and migrant workers claiming "
            "unpaid wages or compensation for a work injury.",
        ),
    ],
}

EN["veteran-card"] = {
    "summary": "Veterans apply for the national preferential treatment card, which gives "
    "them discounts on transport, culture and tourism.",
    "conditions": "Veterans registered in Zhongshan whose details the veterans affairs "
    "bureau has collected.",
    "basis": "Law of the PRC on the Protection of Veterans, Articles 62 and 63",
    "review": "The veteran's records and identity are checked; the cards are made in "
    "batches and posted.",
    "promised_note": "Made in batches once approved and posted within 30 working days",
    "result": "Veteran preferential treatment card of the PRC",
    "materials": {
        "M-DISCHARGE-CERT": (
            "Discharge papers",
            "For example the discharge, transfer or retirement certificate.",
            "Issued by the armed forces or the veterans affairs bureau",
        ),
        "M-BANK-ACCOUNT": "If you choose to switch on the card's bank functions.",
    },
    "faqs": [
        (
            "Can I use the card in other cities?",
            "Yes. The card is the same across the country and is accepted everywhere.",
        ),
    ],
}
