"""English of the items in ``items_people`` (see ``dsl.english`` for the keys)."""

from __future__ import annotations

from typing import Any

EN: dict[str, dict[str, Any]] = {}

ID_FEE_BASIS = (
    "Notice of the National Development and Reform Commission and the Ministry of Finance on "
    "Fees for Second-Generation Resident Identity Cards (NDRC Price [2003] No. 2322)"
)
EXIT_FEE_BASIS = (
    "Notice of the National Development and Reform Commission and the Ministry of Finance on "
    "Lowering Fees for Some Exit-Entry Documents (NDRC Price [2019] No. 914)"
)

EN["birth-hukou"] = {
    "summary": "Within a month of a baby's birth, a parent or guardian registers the birth "
    "with the household registration office where the family lives. You can do it online in "
    "the Having a baby one-stop service.",
    "conditions": "The baby has a medical birth certificate and is registered in Zhongshan "
    "under the father's or the mother's household.",
    "basis": "Regulations of the PRC on Household Registration, Article 7",
    "review": "The medical birth certificate and the parents' identity and household "
    "registration are checked, and the household the baby joins is confirmed.",
    "result": "Household register booklet",
    "materials": {
        "M-HOUSEHOLD-BOOK": "The household register booklet of the parent whose household the "
        "baby joins.",
        "M-ID-CARD": "Both parents' resident identity cards.",
        "M-MARRIAGE-CERT": "If the parents are married. A baby born outside marriage can "
        "still be registered.",
    },
    "faqs": [
        (
            "Will the baby still be registered if I apply after more than a month?",
            "Yes, a late birth registration is still possible. But please apply soon, so that "
            "medical insurance, vaccinations and other services are not delayed.",
        ),
    ],
}

EN["id-card"] = {
    "summary": "Residents of Zhongshan aged 16 or over apply for their first resident "
    "identity card; children under 16 may apply if they wish.",
    "conditions": "Your permanent household registration is in Zhongshan, and this is your "
    "first card or your card has expired, is damaged or is lost.",
    "basis": "Resident Identity Card Law of the PRC, Articles 2, 8 and 20",
    "review": "Household registration is checked, a photo and fingerprints are taken, and "
    "your identity is confirmed.",
    "reason": "You must come in person to have your photo and fingerprints taken",
    "legal_note": "Issued within 60 days of acceptance",
    "result": "Resident identity card",
    "materials": {
        "M-PHOTO": "Your photo can be taken free at the window, or bring the receipt of a "
        "digital photo.",
    },
    "fees": [
        (
            "Resident identity card fee",
            "20 yuan per card",
            ID_FEE_BASIS,
            "Free for a first card for people on the minimum living allowance",
        )
    ],
    "faqs": [
        (
            "Can I apply in another city?",
            "You can renew or replace a card at any public security registration counter in "
            "the country. A first card must be applied for where your household is "
            "registered.",
        ),
    ],
}

EN["seal-filing"] = {
    "summary": "When a new company has its seals made (company seal, finance seal, invoice "
    "seal and others), the seal maker files them on the public security seal management "
    "system.",
    "conditions": "You have a business licence and choose a seal maker licensed to make "
    "official seals.",
    "basis": "Provisional Rules on the Management of the Printing, Casting and Engraving "
    "Trades, Article 3; Decision of the State Council on the Third Batch of Administrative "
    "Licences Cancelled (State Council [2017] No. 7)",
    "review": "The business licence and the identity of the person applying are checked, "
    "and the seal impressions are filed.",
    "result": "Seal filing record (public security seal management system)",
    "materials": {
        "M-SEAL-DESIGN": (
            "Confirmation of the seal design",
            "Confirm the name and design of each seal online.",
        ),
    },
    "faqs": [
        (
            "Do new companies pay for their seals?",
            "No. Zhongshan pays for one company seal, finance seal, invoice seal, contract "
            "seal and legal representative's seal for each new company, and they can be "
            "posted to you.",
        ),
    ],
}

EN["driving-licence-renewal"] = {
    "summary": "Apply to renew your driving licence in the 90 days before it expires. You "
    "can do it all online in the Traffic Control 12123 app and have it posted.",
    "conditions": "The licence is about to expire or expired less than a year ago; you are "
    "medically fit to drive; and you have no unsettled traffic offences or accidents.",
    "basis": "Road Traffic Safety Law of the PRC, Article 19; Regulations for the "
    "Implementation of the Road Traffic Safety Law, Article 26",
    "review": "The driver's record, penalty points and any offences or accidents are "
    "checked, and the medical certificate is reviewed.",
    "legal_note": "Issued the same day by the vehicle administration office if all is in order",
    "location": "Window C14, Zone C, Zhongshan City Administrative Service Centre, 22 Bo'ai "
    "6th Road, East District, Zhongshan; or the vehicle administration office of the "
    "Zhongshan traffic police and the traffic police service points in every town and street",
    "result": "Driving licence",
    "materials": {
        "M-PHOTO": "The photo the clinic uploaded at your medical check can be used.",
    },
    "fees": [
        (
            "Driving licence fee",
            "10 yuan per licence",
            "Notice of the National Development and Reform Commission and the Ministry of "
            "Finance on Traffic Administration Fees (NDRC Price [2004] No. 2831)",
            "",
        )
    ],
    "faqs": [
        (
            "Can I renew an expired licence?",
            "If it expired less than a year ago, renew it as usual. After a year the licence "
            "is cancelled; within two years of cancellation you can get it back by passing "
            "the theory test.",
        ),
    ],
}

EN["death-hukou"] = {
    "summary": "After a death, the head of the household or a relative registers the death "
    "and the person's household registration is cancelled. You can do it in the After a "
    "death one-stop service.",
    "conditions": "You have the medical certificate of death. Register the death before the "
    "funeral in a city, or within a month in the countryside.",
    "basis": "Regulations of the PRC on Household Registration, Article 8",
    "review": "The death certificate is checked against the household register; the "
    "registration is cancelled and the identity card collected.",
    "result": "Certificate of cancellation of household registration",
    "materials": {"M-ID-CARD": "The resident identity card of the person reporting the death."},
    "faqs": [
        (
            "What if the deceased's identity card cannot be found?",
            "Say so when you report the death. The police will cancel the card; it does not "
            "stop the registration being cancelled.",
        ),
    ],
}

EN["hk-macao-permit"] = {
    "summary": "Mainland residents travelling privately to Hong Kong or Macao apply for the "
    "exit-entry permit and an endorsement for group or individual travel.",
    "conditions": "You are a mainland resident, and the law does not bar you from leaving "
    "the country.",
    "basis": "Exit and Entry Administration Law of the PRC, Articles 9, 10 and 12",
    "review": "Your identity and any bar to leaving the country are checked, and your "
    "fingerprints and photo are taken.",
    "reason": "On a first application you must come in person to have your fingerprints and "
    "photo taken",
    "result": "Exit-entry permit for travelling to and from Hong Kong and Macao",
    "materials": {
        "M-PHOTO": "The receipt of a digital photo for exit-entry documents; it can be taken "
        "free at the window.",
    },
    "fees": [
        (
            "Exit-entry permit for Hong Kong and Macao (electronic)",
            "60 yuan per permit",
            EXIT_FEE_BASIS,
            "",
        ),
        ("Endorsement for Hong Kong or Macao", "15 yuan per endorsement", EXIT_FEE_BASIS, ""),
    ],
    "faqs": [
        (
            "Must I go to the window for another endorsement?",
            "No. With the electronic permit you can get another endorsement at a "
            "self-service machine or in the National Immigration Administration app.",
        ),
    ],
}

EN["no-crime-record"] = {
    "summary": "People who need proof that they have no criminal record, for a job, to go "
    "abroad or to adopt, apply for the certificate. You can apply online and get an "
    "electronic certificate.",
    "conditions": "You ask about your own criminal record in China. If someone applies for "
    "you, they need your letter of authorisation.",
    "basis": "Rules for Public Security Authorities on Criminal Record Checks, Articles 6 and 9",
    "review": "The national criminal records system is searched and, once your identity is "
    "confirmed, the certificate is issued.",
    "result": "Certificate of no criminal record",
    "faqs": [
        (
            "Will employers accept the electronic certificate?",
            "The electronic certificate has the same force as the paper one. It carries a "
            "code that can be checked on the police's website.",
        ),
    ],
}

EN["social-security-card"] = {
    "summary": "Insured people, including newborn babies, apply for the third-generation "
    "social security card. Apply online and have it posted, or get it made at once at a "
    "bank branch.",
    "conditions": "You are insured in Zhongshan or registered for resident medical "
    "insurance, and you have no valid Zhongshan social security card.",
    "basis": "Social Insurance Law of the PRC, Article 58",
    "review": "Your identity, insurance and photo are checked and the card is made.",
    "promised_note": "Made at once at a bank branch; posted within 5 working days",
    "result": "Social security card",
    "materials": {
        "M-ID-CARD": "Your own resident identity card; for a newborn, the household register "
        "details.",
        "M-PHOTO": "Upload an electronic photo in the Yueshengshi app. Newborns need no photo.",
        "M-AUTH-LETTER": "Not needed when a guardian applies for a child.",
    },
    "faqs": [
        (
            "Can a newborn baby get a social security card?",
            "Yes. Once the baby is registered and insured in the Having a baby one-stop "
            "service you can apply at the same time, and the card is posted to you.",
        ),
    ],
}

EN["employer-social-insurance"] = {
    "summary": "A new employer registers for social insurance within 30 days of being set "
    "up and gets its insurance number.",
    "conditions": "Employers with a business licence or another registration certificate.",
    "basis": "Social Insurance Law of the PRC, Article 57",
    "review": "The registration shared by the market regulation bureau is checked, and the "
    "kinds of insurance and the rules for the contribution base are set.",
    "legal_note": "Reviewed within 15 days of receiving the application",
    "result": "Employer social insurance registration (insurance number)",
    "faqs": [
        (
            "Is a social insurance registration certificate still issued?",
            "No. Since several certificates were merged into one, the business licence "
            "takes its place; you can look up the registration online.",
        ),
    ],
}

EN["employment-registration"] = {
    "summary": "When an employer takes on a worker, it registers the employment; this is "
    "done together with adding the worker to its social insurance.",
    "conditions": "Employers with an employment relationship with the worker.",
    "basis": "Provisions on Employment Services and Employment Management (Ministry of "
    "Labour and Social Security Order No. 28), Article 62",
    "review": "The worker's identity and start date are checked.",
    "result": "Employment registration record",
    "materials": {"M-ID-CARD": "The resident identity card details of the worker taken on."},
    "faqs": [
        (
            "Do I register the employment separately after adding the worker to social insurance?",
            "No. Adding the worker on the Guangdong human resources online service platform "
            "registers the employment at the same time.",
        ),
    ],
}

EN["unemployment-benefit"] = {
    "summary": "People who lost their job against their will register as unemployed and "
    "claim unemployment benefit; their medical insurance continues.",
    "conditions": "You and your employer paid unemployment insurance for at least a year; "
    "you lost your job against your will; and you have registered as unemployed and are "
    "looking for work.",
    "basis": "Social Insurance Law of the PRC, Articles 45, 46 and 50; Regulations on "
    "Unemployment Insurance, Article 14",
    "review": "Years of contributions, the reason for leaving and the unemployment "
    "registration are checked, and how long and how much you receive is set.",
    "result": "Unemployment benefit decision",
    "materials": {
        "M-TERMINATION-PROOF": (
            "Proof that the employment ended",
            "Not needed if your employer has already removed you in the system.",
        ),
        "M-BANK-ACCOUNT": "Your own social security card with its bank account activated.",
    },
    "faqs": [
        (
            "How long can I receive unemployment benefit?",
            "Up to 12 months after 1 to 5 years of contributions, up to 18 months after 5 to "
            "10 years, and up to 24 months after 10 years or more.",
        ),
    ],
}

EN["pension-claim"] = {
    "summary": "Insured workers who reach the statutory retirement age and have paid "
    "contributions for the minimum number of years apply to retire and receive a monthly "
    "basic pension.",
    "conditions": "You have reached the statutory retirement age (under the rules on "
    "gradually raising it) and have paid basic pension contributions for 15 years (rising "
    "step by step to 20 years from 2030).",
    "basis": "Social Insurance Law of the PRC, Article 16; Decision of the Standing "
    "Committee of the National People's Congress on Gradually Raising the Statutory "
    "Retirement Age, Article 2",
    "review": "Your date of birth, years of contributions and years counted as "
    "contributions are confirmed, and your basic pension is calculated.",
    "result": "Basic pension decision",
    "materials": {
        "M-RETIREMENT-FORM": (
            "Retirement application",
            "Fill it in online in the Yueshengshi app.",
        ),
        "M-SOCIAL-CARD": "Used as the account your pension is paid into: its bank account "
        "must be activated.",
        "M-PERSONNEL-FILE": (
            "Personnel file",
            "Needed when your date of birth or years counted as contributions must be confirmed.",
            "Kept by the body that holds your file",
        ),
    },
    "faqs": [
        (
            "When can I draw my pension now that the retirement age is rising?",
            "Look up your statutory retirement age with the retirement age calculator in the "
            "Yueshengshi app. If you qualify you can also choose to retire up to three years "
            "early.",
        ),
    ],
}

EN["funeral-grant"] = {
    "summary": "When an insured person dies of illness or of a cause not related to work, "
    "the survivors claim the funeral grant and survivors' benefit.",
    "conditions": "The deceased was in Zhongshan's basic pension insurance for employees, "
    "and you are a close relative or legal heir.",
    "basis": "Social Insurance Law of the PRC, Article 17",
    "review": "The death, your relationship and the contributions are checked, and the "
    "benefit is set by the standard.",
    "result": "Notice of the funeral grant and survivors' benefit",
    "materials": {
        "M-ID-CARD": "The claimant's resident identity card.",
        "M-KINSHIP-PROOF": (
            "Proof of relationship",
            "The household register booklet, marriage certificate or other proof of the "
            "relationship; not needed if it can be checked through data sharing.",
        ),
    },
    "faqs": [
        (
            "Can I receive more than one funeral grant if I qualify for several?",
            "No. You can receive only one; choose which.",
        ),
    ],
}

EN["employer-si-deregister"] = {
    "summary": "When an employer lawfully closes, it deregisters from social insurance "
    "within 30 days of closing.",
    "conditions": "All social insurance contributions, late fees and fines are paid, and "
    "every worker has been removed.",
    "basis": "Social Insurance Law of the PRC, Article 57, paragraph 3",
    "review": "Unpaid contributions and workers still registered are checked; if all is "
    "clear, the registration is cancelled at once.",
    "result": "Social insurance deregistration",
    "materials": {
        "M-SI-DEREGISTER-FORM": (
            "Employer social insurance deregistration application",
            "Give the reason online.",
        ),
    },
    "faqs": [
        (
            "Can I deregister while workers are still registered?",
            "No. First stop the insurance of every worker and pay what is owed.",
        ),
    ],
}

EN["hukou-cross-check"] = {
    "summary": "Departments of the city and of towns and streets that must check an "
    "applicant's household registration, and cannot get it through data sharing, ask the "
    "public security registration office to check. For government staff only.",
    "conditions": "Staff of Zhongshan government departments and town and street service "
    "centres who must check household registration to do their lawful duties.",
    "basis": "Regulations of the PRC on Household Registration; Guangdong Measures for "
    "Sharing Government Data Resources (Trial)",
    "review": "The reason, the requesting department and the details of the person checked "
    "must be complete; only the least information needed is given back.",
    "location": "Household registration counter of the Public Security Bureau (internal "
    "cross-check channel)",
    "result": "Household registration cross-check reply",
    "materials": {
        "M-CROSS-CHECK-FORM": (
            "Request for a household registration cross-check",
            "Stamped with the requesting department's seal.",
        ),
    },
    "faqs": [
        (
            "Can residents apply?",
            "No. Residents who need proof of their household registration can apply for a "
            "household registration certificate or look it up in the Yueshengshi app.",
        ),
    ],
}
