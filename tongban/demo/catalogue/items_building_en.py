"""English of the items in ``items_building`` (see ``dsl.english`` for the keys)."""

from __future__ import annotations

from typing import Any

EN: dict[str, dict[str, Any]] = {}

EN["fire-safety-check"] = {
    "summary": "Hotels, restaurants, shopping centres, entertainment venues and other public "
    "venues ask the fire and rescue service for a fire safety inspection before they open.",
    "conditions": "The venue has passed its fire safety acceptance or filing where one is "
    "required; fire equipment works; escape routes and exits are clear; and there are fire "
    "safety rules and staff training.",
    "basis": "Fire Protection Law of the PRC, Articles 15 and 73; Rules for Fire Safety "
    "Inspections of Public Venues before Opening, Article 5",
    "review": "The applicant's commitment and materials are checked for completeness, and "
    "the use of the venue against the building's fire protection design.",
    "inspect": "Escape routes, exits, fire equipment, wiring and staff fire safety training "
    "are checked against the fire protection standards.",
    "promised_note": "Granted on the spot under the commitment system; otherwise inspected "
    "and decided within 5 working days",
    "result": "Fire safety inspection certificate for a public venue",
    "materials": {
        "M-FIRE-CHECK-FORM": (
            "Application for a fire safety inspection of a public venue",
            "Enter the venue's name, address, floor area and use online.",
        ),
        "M-FLOOR-PLAN": "Showing escape routes, exits and where the fire equipment is.",
        "M-FIRE-SAFETY-RULES": (
            "Fire safety rules, firefighting and evacuation plan",
            "Signed by the person in charge of the venue.",
        ),
    },
    "faqs": [
        (
            "Does a small restaurant need to apply?",
            "Yes. Article 73 of the Fire Protection Law counts restaurants as public venues, "
            "so every restaurant applies before it opens. Under the commitment system you get "
            "the certificate on the spot.",
        ),
    ],
}

EN["signboard"] = {
    "summary": "Outdoor advertising and large signs on the front or roof of a building, or "
    "along city roads, need the approval of the urban management bureau.",
    "conditions": "The location fits the outdoor advertising plan; the structure is safe; and "
    "it does not affect road safety, fire escape or the look of the street.",
    "basis": "Regulations on City Appearance and Environmental Sanitation, Article 11; "
    "Advertising Law of the PRC, Article 41",
    "review": "The location, size, materials and lighting are checked against the plan and "
    "the technical rules.",
    "inspect": "Officers check the location, the building front and the surroundings against "
    "the design drawing.",
    "result": "Decision permitting outdoor advertising",
    "materials": {
        "M-SIGN-FORM": ("Application for an outdoor advertisement or sign", "Fill it in online."),
        "M-SIGN-DESIGN": (
            "Design drawing and structural drawing",
            "Showing the location, size, materials and lighting; for a large structure, add "
            "the structural safety calculation.",
        ),
        "M-PREMISES": "Proof of the right to use the site, or the owner's consent.",
    },
    "faqs": [
        (
            "Does an ordinary shop sign above my door need approval?",
            "A normal sign above your own door that stays within the building front and "
            "meets the sign rules only needs a commitment and filing. Large outdoor "
            "advertisements and roof signs need approval.",
        ),
    ],
}

EN["construction-permit"] = {
    "summary": "Before building work or municipal infrastructure work starts, the developer "
    "applies for a construction permit.",
    "conditions": "Land use has been approved; the construction planning permit has been "
    "granted; the builder has been chosen; funding and construction drawings are in place; "
    "and there are measures to ensure quality and safety.",
    "basis": "Construction Law of the PRC, Articles 7 and 8; Measures for Construction "
    "Permits (Ministry of Housing and Urban-Rural Development Order No. 18), Articles 4 and 6",
    "review": "The planning permit, construction contract, drawing review and quality and "
    "safety measures are checked for completeness and against the project.",
    "legal_note": "A decision within 7 days of receiving the application",
    "result": "Construction permit",
    "materials": {
        "M-CONSTRUCTION-FORM": ("Construction permit application", "Fill it in online."),
        "M-CONSTRUCTION-CONTRACT": (
            "Construction contract",
            "The contract with the chosen builder.",
        ),
        "M-FUNDS-COMMIT": (
            "Statement that the construction funds are in place",
            "Signed by the developer's legal representative.",
        ),
    },
    "faqs": [
        (
            "Do small projects need a construction permit?",
            "Building work costing less than 300,000 yuan, or with a floor area under 300 "
            "square metres, does not need a construction permit.",
        ),
    ],
}

EN["drainage-permit"] = {
    "summary": "Restaurants, car washes, clinics, factories and others apply for a drainage "
    "permit before they discharge wastewater into the city sewers.",
    "conditions": "The outlet fits the plan; grease traps, settling tanks or other "
    "pre-treatment are built as required; the water meets national and local standards; and "
    "there is an inspection well.",
    "basis": "Regulations on Urban Drainage and Sewage Treatment, Article 21; Measures for "
    "Permits to Discharge Urban Wastewater into Drainage Networks (Ministry of Housing and "
    "Urban-Rural Development Order No. 21), Articles 4 and 8",
    "review": "The kind of discharger, the volume, the outlet and the pre-treatment are "
    "checked against the requirements.",
    "inspect": "Officers check the grease trap, inspection well and outlet against the drawings.",
    "result": "Permit to discharge wastewater into the sewers",
    "materials": {
        "M-DRAINAGE-FORM": (
            "Application for a permit to discharge wastewater into the sewers",
            "Fill it in online.",
        ),
        "M-DRAINAGE-PLAN": (
            "Plan of the drains and inspection well",
            "Showing the outlet, its size and the pre-treatment.",
        ),
    },
    "faqs": [
        (
            "Must a restaurant have a grease trap?",
            "Yes. Restaurants must have a grease trap and empty it regularly: it is one of "
            "the conditions of the drainage permit.",
        ),
    ],
}

EN["public-rental"] = {
    "summary": "Low-income households in housing difficulty and eligible newcomers to the "
    "city apply for a public rental home or a rent subsidy.",
    "conditions": "The household's income and assets per person meet this year's limits; "
    "you own no home in Zhongshan or have less floor space per person than the limit; people "
    "registered elsewhere hold a residence permit and have paid social insurance without a "
    "break for the required years.",
    "basis": "Measures for the Administration of Public Rental Housing (Ministry of Housing "
    "and Urban-Rural Development Order No. 11), Articles 7 and 9",
    "review": "The town or street office makes a first review, visits the household and "
    "publishes the result; the housing bureau then checks income, assets and housing.",
    "reason": "You must come to the town or street counter in person to sign the consent to "
    "checks of your household's finances and show the originals",
    "special": "The 7-day public notice period is not counted in the time limit",
    "result": "Notice confirming eligibility for public rental housing",
    "materials": {
        "M-RENTAL-FORM": (
            "Public rental housing application",
            "Signed by every household member who applies with you.",
        ),
        "M-ID-CARD": "Resident identity cards of the applicant and every household member "
        "applying.",
    },
    "faqs": [
        (
            "Can migrant workers apply?",
            "Yes. Newcomers who hold a Zhongshan residence permit and have paid social "
            "insurance without a break for the years set that year can apply; this year's "
            "published conditions apply.",
        ),
    ],
}

EN["planning-permit"] = {
    "summary": "Apply for a construction planning permit before you build buildings, "
    "structures, roads or pipelines within a city or town planning area.",
    "conditions": "You have the right to use the land, and the design fits the detailed "
    "plan and the planning conditions.",
    "basis": "Urban and Rural Planning Law of the PRC, Articles 40 and 50",
    "review": "The site plan's floor area ratio, building density, green space, setbacks and "
    "height are checked against the planning conditions.",
    "result": "Construction planning permit",
    "materials": {
        "M-PLANNING-FORM": ("Construction planning permit application", "Fill it in online."),
        "M-DESIGN-SCHEME": (
            "Design of the project",
            "Site plan and each building's floor plans, elevations and sections, electronic.",
        ),
    },
    "faqs": [
        (
            "Can an approved design be changed?",
            "The site plan may not be changed at will. If a change is truly needed, the "
            "planning office hears the people affected, for example at a hearing, before it "
            "decides.",
        ),
    ],
}

EN["property-transfer"] = {
    "summary": "When a home is sold, buyer and seller apply together to register the "
    "transfer, and the buyer gets the real estate title certificate. Taxes and the transfer "
    "of water, power and gas can be done at the same time.",
    "conditions": "The property has had its first registration; it is not seized; a "
    "mortgagee has agreed if the property is mortgaged (transfer with the mortgage); and "
    "the sale contract has been signed online and filed and the taxes paid.",
    "basis": "Provisional Regulations on Real Estate Registration, Articles 3, 14 and 20; "
    "Civil Code of the PRC, Articles 209 and 406",
    "review": "The office checks the title, any seizure or mortgage, the applicants' "
    "identity and wishes and the tax payment, and interviews buyer and seller.",
    "reason": "Buyer and seller must come to have their identity checked and sign the "
    "interview record (a video check can be booked instead)",
    "legal_note": "Completed within 30 working days of accepting the application",
    "promised_note": "Completed within 1 working day of acceptance, at once when possible",
    "result": "Real estate title certificate",
    "materials": {
        "M-PROPERTY-REG-FORM": (
            "Real estate registration application",
            "Signed by both buyer and seller.",
        ),
        "M-ID-CARD": "Resident identity cards of the buyer and the seller.",
        "M-MARRIAGE-CERT": "If the seller is married, the marriage certificate, to confirm "
        "any co-owner.",
    },
    "fees": [
        (
            "Real estate registration fee (homes)",
            "80 yuan per registration",
            "Notice of the National Development and Reform Commission and the Ministry of "
            "Finance on Real Estate Registration Fees (NDRC Price Rules [2016] No. 2559)",
            "Free for small and micro businesses and sole traders as the rules allow; 10 "
            "yuan for each extra certificate",
        )
    ],
    "faqs": [
        (
            "Can I sell my home before the mortgage is paid off?",
            "Yes, by transfer with the mortgage: if the lender agrees, you need not repay "
            "the loan first, and the transfer and the new mortgage are registered together.",
        ),
    ],
}

EN["eia-report"] = {
    "summary": "Projects that need an environmental impact report form under the "
    "classification list for environmental impact assessment get it approved before work "
    "starts.",
    "conditions": "The project meets the ecological zoning rules and industrial policy; a "
    "consultant has prepared the report form; and the pollution controls are workable.",
    "basis": "Environmental Impact Assessment Law of the PRC, Articles 22 and 25",
    "review": "After a technical assessment, the site, emissions, pollution controls and "
    "environmental risks are reviewed.",
    "legal_note": "A decision within 30 days of receiving the report form",
    "special": "The technical assessment (expert review) is not counted in the time limit",
    "intermediary": "Preparing the environmental impact report form (you choose the consultant)",
    "result": "Approval of the environmental impact report form",
    "materials": {
        "M-EIA-APPLICATION": (
            "Application for approval of the environmental impact assessment",
            "Stamped with the developer's seal.",
        ),
        "M-EIA-REPORT": (
            "Environmental impact report form",
            "The full version and a public version without confidential content.",
            "Prepared by the environmental consultant",
        ),
    },
    "faqs": [
        (
            "How do I know whether my project needs a report, a report form or a "
            "registration form?",
            "The Classification List for Environmental Impact Assessment of Construction "
            "Projects (2021) decides. Projects that need only a registration form file it "
            "online.",
        ),
    ],
}

EN["pollutant-permit"] = {
    "summary": "Businesses under key or simplified pollutant discharge management apply for "
    "a pollutant discharge permit before they discharge.",
    "conditions": "The environmental impact assessment is approved or filed; pollution "
    "controls and outlets meet the requirements; and the self-monitoring plan meets the "
    "standards.",
    "basis": "Regulations on the Administration of Pollutant Discharge Permits (State "
    "Council Order No. 736), Articles 6, 8 and 11",
    "review": "Outlets, concentrations and totals, the self-monitoring plan and the "
    "commitment to obey the law are checked against the regulations and technical rules.",
    "legal_note": "20 days under simplified management, 30 days under key management (site "
    "inspections not counted)",
    "result": "Pollutant discharge permit",
    "location": "Apply online on the national pollutant discharge permit platform. For "
    "advice, go to Window C23, Zone C, Zhongshan City Administrative Service Centre, 22 "
    "Bo'ai 6th Road, East District, Zhongshan",
    "materials": {
        "M-POLLUTANT-FORM": (
            "Pollutant discharge permit application",
            "Filled in on the national pollutant discharge permit platform.",
        ),
        "M-MONITORING-PLAN": (
            "Self-monitoring plan",
            "With the monitoring points, indicators and how often they are measured.",
        ),
        "M-COMMITMENT": "A commitment to obey the law, signed by the legal representative.",
    },
    "faqs": [
        (
            "Do businesses with very small discharges need a permit?",
            "Businesses whose pollutants and environmental impact are very small only "
            "register: they fill in the registration form on the platform and need no "
            "permit.",
        ),
    ],
}

EN["investment-filing"] = {
    "summary": "Companies that invest in a fixed-asset project in Zhongshan which is not on "
    "the list needing approval file it online before work starts.",
    "conditions": "The project is not on the Catalogue of Investment Projects Approved by "
    "the Government and is not banned by industrial policy.",
    "basis": "Regulations on the Approval and Filing of Enterprise Investment Projects "
    "(State Council Order No. 673), Articles 13 and 14",
    "review": "The filing is checked for completeness, and the project for whether it is "
    "banned or needs approval.",
    "result": "Guangdong enterprise investment project filing certificate",
    "location": "Apply online on the Guangdong online approval platform for investment "
    "projects. For advice, go to Window C25, Zone C, Zhongshan City Administrative Service "
    "Centre, 22 Bo'ai 6th Road, East District, Zhongshan",
    "materials": {
        "M-PROJECT-INFO": (
            "Project filing form",
            "Enter the project's name, place, size, content and total investment online.",
        ),
        "M-COMMITMENT": "A commitment that the filing is true.",
    },
    "faqs": [
        (
            "What if the project changes after filing?",
            "If the project owner, site, size or content changes a lot, or you give up the "
            "project, tell the filing office through the platform at once and update the "
            "filing.",
        ),
    ],
}

EN["freight-permit"] = {
    "summary": "Apply for a road transport business permit to carry goods for hire with "
    "ordinary lorries of more than 4.5 tonnes total weight.",
    "conditions": "You have tested vehicles suited to the business, qualified drivers and "
    "sound safety rules.",
    "basis": "Regulations of the PRC on Road Transport, Articles 21 and 24",
    "review": "The vehicles' condition, the drivers' qualifications and the safety rules "
    "are reviewed.",
    "result": "Road transport business permit",
    "materials": {
        "M-FREIGHT-FORM": ("Road freight transport business application", "Fill it in online."),
        "M-VEHICLE-LICENCE": (
            "Vehicle registration certificate",
            "For each vehicle you will use.",
            "Issued by the traffic police",
        ),
        "M-DRIVER-QUALIFICATION": (
            "Drivers' professional qualification certificates",
            "For each driver you employ.",
            "Issued by the transport bureau",
        ),
        "M-TRANSPORT-SAFETY": (
            "Safety rules",
            "Covering safety duties and the management of drivers and vehicles.",
        ),
    },
    "faqs": [
        (
            "Do I need a permit to carry goods in a lorry under 4.5 tonnes?",
            "No. Ordinary freight with vehicles of 4,500 kg total weight or less needs no "
            "road transport business permit or vehicle operating certificate.",
        ),
    ],
}

EN["ride-hailing-permit"] = {
    "summary": "The owner of a vehicle, or the platform company, applies for the transport "
    "permit a ride-hailing car needs.",
    "conditions": "A passenger car with 7 seats or fewer, with satellite positioning that "
    "records journeys and an emergency alarm, meeting the safety requirements and "
    "Zhongshan's vehicle standard.",
    "basis": "Interim Measures for Online Ride-Hailing Taxi Services, Articles 12 and 13",
    "review": "The vehicle registration, the vehicle standard and the platform connection "
    "are reviewed.",
    "inspect": "At the appointed place, officers check the car's appearance, seats, "
    "satellite positioning and emergency alarm.",
    "reason": "The car must be driven to the appointed place to be inspected",
    "result": "Ride-hailing vehicle transport permit",
    "materials": {
        "M-RIDE-HAILING-FORM": (
            "Ride-hailing vehicle transport permit application",
            "Fill it in online.",
        ),
        "M-ID-CARD": "The vehicle owner's resident identity card.",
        "M-VEHICLE-LICENCE": (
            "Vehicle registration certificate",
            "The vehicle must be registered for booked taxi use.",
            "Issued by the traffic police",
        ),
        "M-PLATFORM-ACCESS": (
            "Proof of connection to a ride-hailing platform",
            "Issued by the platform company.",
            "Issued by the ride-hailing platform company",
        ),
    },
    "faqs": [
        (
            "Can a petrol car be used?",
            "New ride-hailing cars in Zhongshan must be new energy vehicles. The vehicle "
            "standard in Zhongshan's ride-hailing rules applies.",
        ),
    ],
}
