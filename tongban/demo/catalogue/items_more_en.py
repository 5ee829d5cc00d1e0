"""English of the items in ``items_more`` (see ``dsl.english`` for the keys)."""

from __future__ import annotations

from typing import Any

EN: dict[str, dict[str, Any]] = {}

CENTRE_EN = "Zone C, Zhongshan City Administrative Service Centre, 22 Bo'ai 6th Road, East "
CENTRE_EN += "District, Zhongshan"

EN["car-trade-in"] = {
    "summary": "People who scrap an old car and buy a new electric or petrol car apply "
    "online for the car trade-in subsidy.",
    "conditions": "The scrapped car was registered in your name; the new car is registered "
    "in Zhongshan and bought while the subsidy scheme runs; each old or new car gets the "
    "subsidy only once.",
    "basis": "Implementing Rules for Car Trade-in Subsidies issued by the Ministry of "
    "Commerce and six other departments, Articles 2 and 3",
    "review": "The scrapping certificate, the new car's invoice and its registration are "
    "checked, and the application is compared with earlier ones.",
    "promised_note": "Once approved, the subsidy is paid to your own account in batches",
    "location": "Apply online in the UnionPay QuickPass app or on the Ministry of Commerce's "
    "car trade-in platform. For advice, go to Window C25, " + CENTRE_EN,
    "result": "Notice of the result of the car trade-in subsidy review",
    "materials": {
        "M-SCRAP-CERT": (
            "Certificate of scrapping of the old car",
            "Issued by the car recycling and dismantling company.",
            "Issued by the car recycling and dismantling company",
        ),
        "M-NEW-CAR-INVOICE": (
            "Unified invoice for the sale of the new car",
            "The buyer on the invoice must be the applicant.",
        ),
    },
    "faqs": [
        (
            "When will I receive the subsidy?",
            "Subsidies are paid in batches, usually within a month of approval. You can "
            "follow progress on the platform.",
        ),
    ],
}

EN["pesticide-permit"] = {
    "summary": "Companies and sole traders that sell pesticides (other than household "
    "insecticides) apply for a pesticide business permit.",
    "conditions": "Staff have at least a secondary vocational qualification in agronomy, "
    "plant protection or pesticides, or professional training; the shop and store suit the "
    "business and are kept apart from other goods, living areas and drinking water; and you "
    "have scanners for the traceability codes.",
    "basis": "Regulations on Pesticide Administration, Articles 24 and 25; Measures for "
    "Pesticide Business Permits, Article 11",
    "review": "Staff qualifications, the shop and store, and the quality and traceability "
    "rules are reviewed.",
    "inspect": "Officers check how the shop and store are kept apart, and the scanners for "
    "traceability codes.",
    "result": "Pesticide business permit",
    "materials": {
        "M-PESTICIDE-FORM": ("Pesticide business permit application", "Fill it in online."),
        "M-PESTICIDE-STAFF": (
            "Staff qualifications or training certificates",
            "A diploma in a related subject or a certificate of training.",
        ),
        "M-FLOOR-PLAN": "Plans of the shop and store, showing how they are kept apart.",
    },
    "faqs": [
        (
            "Does a supermarket need a pesticide permit to sell insect spray?",
            "No. Household insecticides need no business permit.",
        ),
    ],
}

EN["entertainment-permit"] = {
    "summary": "To open a dance hall, karaoke bar, amusement arcade or other entertainment "
    "venue, apply for an entertainment business permit after you get your business licence.",
    "conditions": "The location meets Article 7 of the Regulations on Entertainment Venues; "
    "private rooms, lighting and sound insulation meet the standards; and CCTV is installed.",
    "basis": "Regulations on the Administration of Entertainment Venues, Articles 7, 9 and 11",
    "review": "The location, floor area, private rooms and investors are checked against the "
    "regulations.",
    "inspect": "Officers check the number of private rooms, see-through doors and windows, "
    "lighting and CCTV.",
    "result": "Entertainment business permit",
    "materials": {
        "M-ENTERTAINMENT-FORM": (
            "Entertainment venue business application",
            "Fill it in online.",
        ),
        "M-FLOOR-PLAN": "Showing the private rooms, corridors and emergency exits.",
        "M-ID-CARD": "Identity documents of the legal representative, the person in charge "
        "and the investors.",
    },
    "faqs": [
        (
            "Can an entertainment venue be in a residential building?",
            "No. Article 7 of the regulations bans entertainment venues in residential "
            "buildings, museums, libraries and protected heritage sites, and near housing "
            "estates, schools, hospitals and government offices.",
        ),
    ],
}

EN["library-card"] = {
    "summary": "Residents can get a library card without a deposit and borrow and return "
    "books and use digital resources at every public library in the city.",
    "conditions": "Readers with a valid resident identity card, social security card, or "
    "residence permit for residents of Hong Kong, Macao or Taiwan.",
    "basis": "Public Library Law of the PRC, Article 33",
    "review": "The reader's identity is checked and borrowing is switched on.",
    "location": "Main service desk, ground floor, Zhongshan Memorial Library (3 Songyuan "
    "Road, East District, Zhongshan), and the branch libraries in every town and street",
    "hours": "Tuesday to Sunday, 9am to 9pm (closed on Mondays; holiday hours are announced)",
    "result": "Zhongshan Memorial Library card",
    "materials": {
        "M-ID-CARD": "Resident identity card or social security card; either can be used at "
        "the self-service machines.",
    },
    "faqs": [
        (
            "Do I need to pay a deposit to borrow books?",
            "No. With a library card you borrow without a deposit: up to 10 books for 30 "
            "days, and you can renew once online.",
        ),
    ],
}

EN["hazchem-permit"] = {
    "summary": "Apply for a hazardous chemicals business permit to trade in hazardous "
    "chemicals (trading companies without storage need one too).",
    "conditions": "Premises and storage meet the national standards; staff have passed "
    "professional training; and there are sound safety rules and an emergency plan.",
    "basis": "Regulations on the Safe Management of Hazardous Chemicals, Articles 33, 34 and 35",
    "review": "The premises, storage, staff qualifications and safety rules are checked "
    "against the regulations and standards.",
    "inspect": "Officers check the premises, storage and emergency equipment.",
    "result": "Hazardous chemicals business permit",
    "materials": {
        "M-HAZCHEM-FORM": ("Hazardous chemicals business permit application", "Fill it in online."),
        "M-SAFETY-QUALIFICATION": (
            "Safety qualification certificates of the head and the safety managers",
            "Certificates of passing the emergency management bureau's assessment.",
            "Issued by the emergency management bureau",
        ),
        "M-PREMISES": "Title certificate or lease of the premises.",
    },
    "faqs": [
        (
            "Do I need a permit if I only trade and never store hazardous chemicals?",
            "Yes: apply for a hazardous chemicals business permit without storage.",
        ),
    ],
}
