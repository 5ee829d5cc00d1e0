"""English of the items in ``items_business`` (see ``dsl.english`` for the keys)."""

from __future__ import annotations

from typing import Any

SAME_DAY_REGISTRATION = (
    "Registered on the spot if the materials are complete and in the legal form; otherwise "
    "within 3 working days"
)

EN: dict[str, dict[str, Any]] = {}

EN["company-setup"] = {
    "summary": "Register a new limited company, joint-stock company or branch in Zhongshan and "
    "get its business licence. You can have the company seal made, get invoices, and register "
    "for social insurance and the housing provident fund at the same time (the Start a "
    "business one-stop service).",
    "conditions": "The company name is declared by you and is not the same as a name already "
    "registered in the same trade. The company has shareholders (founders) as its articles "
    "require, articles of association, a name and an address. The legal representative, "
    "directors, supervisors and senior managers meet the requirements of the Company Law.",
    "basis": "Company Law of the PRC, Articles 29 and 30; Regulations of the PRC on the "
    "Registration of Market Entities, Articles 3 and 19; Implementing Rules of the Regulations "
    "on the Registration of Market Entities, Article 17",
    "review": "The name, address, business scope, registered capital, shareholders and their "
    "contributions, and the legal representative's eligibility are checked against the "
    "Company Law and the registration rules. The business scope must use the wording of the "
    "national business scope catalogue.",
    "legal_note": SAME_DAY_REGISTRATION,
    "result": "Business licence",
    "materials": {
        "M-COMPANY-SETUP-FORM": (
            "Company registration application",
            "Fill it in and sign it electronically on the Guangdong Market Regulation "
            "Administration's business registration system.",
        ),
        "M-SHAREHOLDER-ID": (
            "Proof of each shareholder's (founder's) identity or legal status",
            "An identity document for a person, a business licence for a company. Not needed "
            "for companies registered in Zhongshan.",
        ),
        "M-OFFICER-APPOINTMENT": (
            "Appointment of the legal representative, directors, supervisors and manager",
            "A resolution of the shareholders' meeting or the board, signed by the "
            "shareholders or directors.",
        ),
        "M-PREMISES": "Zhongshan accepts a declaration of the address: enter it online and "
        "promise that it is true and lawful. No other proof is needed.",
    },
    "faqs": [
        (
            "Must the registered capital be paid in when the company is set up?",
            "No. Under Article 47 of the Company Law, in force since 1 July 2024, the "
            "shareholders of a limited company pay the capital they subscribed within five "
            "years of the company's founding, as the articles of association say.",
        ),
        (
            "Can I use my home as the company's address?",
            "Usually yes: Zhongshan accepts a declaration of the address. But businesses the "
            "law does not allow in homes, such as restaurants, entertainment venues and "
            "dangerous chemicals, cannot use a home as their premises.",
        ),
    ],
}

EN["company-change"] = {
    "summary": "Apply to change a company's registered details, such as its name, address, "
    "legal representative, registered capital, business scope or shareholders, and get a new "
    "business licence.",
    "conditions": "The company is registered in Zhongshan. The shareholders' meeting or the "
    "board has lawfully decided the change. You apply within 30 days of the decision or of "
    "the change required by law.",
    "basis": "Regulations of the PRC on the Registration of Market Entities, Articles 24 and "
    "25; Company Law of the PRC, Article 34",
    "review": "The voting and signatures of the resolution are checked against the articles "
    "of association. The new name, address, business scope and legal representative are "
    "checked against the registration rules. Any permit needed in advance must already have "
    "been granted.",
    "legal_note": SAME_DAY_REGISTRATION,
    "result": "Business licence",
    "materials": {
        "M-COMPANY-CHANGE-FORM": (
            "Application to change a company's registration",
            "Fill it in online; the legal representative signs it electronically.",
        ),
        "M-CHANGE-RESOLUTION": (
            "Resolution or decision on the change",
            "A resolution of the shareholders' meeting or the board, or a shareholder's "
            "decision, stating the change and signed by the people concerned.",
        ),
        "M-ARTICLES": "If the change affects the articles of association, the amendment or "
        "the amended articles.",
        "M-PREMISES": "If the address changes, enter the new address online and make the "
        "declaration.",
    },
    "faqs": [
        (
            "Does the old legal representative have to sign when the legal representative changes?",
            "No. The new legal representative signs the application, and you hand in the "
            "resolution that appointed them under the articles of association.",
        ),
        (
            "What happens if I apply more than 30 days after the change?",
            "The registration office will order you to put it right. If you do not, you can "
            "be fined from 10,000 to 100,000 yuan, so please apply in time.",
        ),
    ],
}

EN["company-deregister"] = {
    "summary": "When a company closes, for example because it is dissolved or declared "
    "bankrupt, apply to deregister it once liquidation is complete. A company with no debts, "
    "or whose debts are all paid, can use simplified deregistration.",
    "conditions": "Liquidation is complete and the liquidation group's notice to creditors "
    "has been on the National Enterprise Credit Information Publicity System for 45 days (for "
    "simplified deregistration, 20 days without objection). Taxes are paid and social "
    "insurance and housing provident fund accounts are closed.",
    "basis": "Regulations of the PRC on the Registration of Market Entities, Articles 31, 32 "
    "and 33; Company Law of the PRC, Article 239",
    "review": "The office checks that the shareholders' meeting confirmed the liquidation "
    "report, that the notice period for creditors has ended and that the tax office has sent "
    "the tax clearance. For simplified deregistration it checks that nobody objected during "
    "the notice period.",
    "legal_note": "A decision within 3 working days of acceptance",
    "promised_note": "Ordinary deregistration within 1 working day; the 20-day notice period "
    "of simplified deregistration is not counted",
    "special": "The 20-day notice period of simplified deregistration is not counted in the "
    "time limit",
    "result": "Notice of approval of deregistration",
    "materials": {
        "M-DEREGISTER-FORM": (
            "Company deregistration application",
            "Fill it in online; signed by the legal representative or the head of the "
            "liquidation group.",
        ),
        "M-LIQUIDATION-REPORT": (
            "Liquidation report",
            "Confirmed by the shareholders' meeting and signed by all shareholders or members "
            "of the liquidation group. For simplified deregistration, a letter of commitment "
            "signed by all investors.",
        ),
        "M-TAX-CLEARANCE": (
            "Tax clearance certificate",
            "Not needed if the tax office has already sent the tax clearance through data sharing.",
            "Issued by the tax office",
        ),
        "M-BIZ-LICENCE": "Return the original and duplicate of the business licence. If they "
        "are lost, declare them void online.",
    },
    "faqs": [
        (
            "Which companies can use simplified deregistration?",
            "Companies that never had debts or have paid them all, and have no unpaid "
            "liquidation costs, wages, social insurance contributions or taxes. All investors "
            "must promise this in writing. The notice period is 20 days.",
        ),
    ],
}

EN["sole-trader-setup"] = {
    "summary": "A person who wants to trade registers as a sole trader (individual business) "
    "and gets a business licence. This is the usual way to open a small restaurant or shop.",
    "conditions": "You are a person able to run a business, you have fixed premises, and the "
    "trade is not one the law closes to sole traders.",
    "basis": "Regulations of the PRC on the Registration of Market Entities, Articles 2, 8 "
    "and 19; Regulations on Promoting the Development of Individual Businesses, Article 8",
    "review": "The trader's identity, the business name (a name is optional), the premises "
    "and the business scope are checked against the rules.",
    "legal_note": "Registered on the spot if the materials are complete and in the legal form",
    "result": "Business licence",
    "materials": {
        "M-SOLE-TRADER-FORM": (
            "Sole trader registration application",
            "Fill it in and sign it electronically online.",
        ),
        "M-ID-CARD": "The trader's own resident identity card.",
    },
    "faqs": [
        (
            "Does a sole trader need a business name?",
            "No. A sole trader may trade without a name; the business licence then shows the "
            "trader's own name.",
        ),
        (
            "Can a sole trader become a company later?",
            "Yes. You can apply to convert the business into a company and keep its name; "
            "permits can be transferred as the rules allow.",
        ),
    ],
}

EN["food-business-permit"] = {
    "summary": "Businesses that sell food or serve meals apply for a food business permit "
    "before they open. Businesses that sell only pre-packaged food file a record instead.",
    "conditions": "You have a business licence; premises and equipment suited to the kinds "
    "and quantities of food you handle; staff responsible for food safety and food safety "
    "rules; and a layout that prevents cross-contamination.",
    "basis": "Food Safety Law of the PRC, Article 35; Measures for Food Business Permits and "
    "Records (State Administration for Market Regulation Order No. 78), Articles 10 and 15",
    "review": "The office checks that the size of the premises suits the business, and that "
    "the food preparation layout, equipment, food safety rules and staff meet the General "
    "Rules for Reviewing Food Business Permits.",
    "inspect": "Inspectors check that the kitchen, cleaning and disinfection facilities, "
    "refrigeration and freezing, and protection against flies and rodents match the "
    "application.",
    "legal_note": "A decision within 20 working days, under Article 42 of the Administrative "
    "Licensing Law of the PRC",
    "promised_note": "Completed within 5 working days of acceptance. If you choose the "
    "commitment system, the permit is issued on the spot and checked afterwards",
    "result": "Food business permit",
    "materials": {
        "M-FOOD-PERMIT-FORM": (
            "Food business permit application",
            "Fill in the business activities and type of business online.",
        ),
        "M-FLOOR-PLAN": "Showing the food preparation area, dining area, cleaning and "
        "disinfection area and the equipment, drawn to a suitable scale.",
        "M-FOOD-SAFETY-RULES": (
            "Food safety rules, including self-checks and records of goods received",
            "Written for your own business and signed by the person in charge.",
        ),
    },
    "faqs": [
        (
            "Do I need a permit if I sell only pre-packaged food?",
            "No. If you sell only pre-packaged food, file a record after you get your "
            "business licence.",
        ),
        (
            "How long is the permit valid?",
            "A food business permit is valid for 5 years. To renew it, apply between 90 and "
            "15 working days before it expires.",
        ),
    ],
}

EN["special-equipment"] = {
    "summary": "Register special equipment, such as lifts, boilers, pressure vessels, cranes "
    "and vehicles used only on site, before it is used or within 30 days of first use.",
    "conditions": "The equipment has passed its supervisory inspection (where one is "
    "required). The user has safety rules on duties, hazards and emergencies, and a safety "
    "manager.",
    "basis": "Special Equipment Safety Law of the PRC, Article 33; Rules for the Use and "
    "Management of Special Equipment (TSG 08), Section 3.1",
    "review": "The product certificate and supervisory inspection certificate are checked "
    "against the registration form, and the user of the equipment must be clear.",
    "intermediary": "Supervisory inspection of special equipment (by a statutory inspection body)",
    "result": "Special equipment use registration certificate",
    "materials": {
        "M-EQUIPMENT-REG-FORM": (
            "Special equipment use registration form",
            "Two copies, stamped with the user's seal.",
        ),
        "M-EQUIPMENT-CERT": (
            "Product certificate and product data sheet",
            "Issued by the manufacturer of the equipment.",
            "Issued by the manufacturer",
        ),
        "M-EQUIPMENT-INSPECTION": (
            "Supervisory inspection certificate",
            "For equipment that needs a supervisory inspection.",
            "Issued by a special equipment inspection body",
        ),
    },
    "faqs": [
        (
            "Who registers the lifts of a housing estate?",
            "The user of the lift, usually the property management company appointed to run "
            "it; if there is none, the owner.",
        ),
    ],
}

EN["tax-first-registration"] = {
    "summary": "After a new company or sole trader gets its business licence, it confirms its "
    "registration details, accounting system and bank accounts on the electronic tax bureau. "
    "This completes its first tax formalities.",
    "conditions": "You have a business licence with a unified social credit code, and the "
    "legal representative or tax officer has verified their real name.",
    "basis": "Law of the PRC on the Administration of Tax Collection, Article 15; Detailed "
    "Rules for the Implementation of the Law on the Administration of Tax Collection, "
    "Article 12",
    "review": "The registration details shared by the market regulation bureau are checked "
    "against the taxpayer's additional information, and the tax office in charge and the "
    "taxes due are set.",
    "result": "Tax matter notice (taxpayer information confirmed)",
    "materials": {
        "M-TAXPAYER-INFO": (
            "Taxpayer information confirmation form",
            "Confirmed online on the electronic tax bureau; no paper form.",
        ),
    },
    "faqs": [
        (
            "Do I still need a tax registration certificate?",
            "No. Since several certificates were merged into one, the business licence also "
            "serves as the tax registration certificate. You only need to confirm your "
            "details on the electronic tax bureau.",
        ),
    ],
}

EN["invoice-type"] = {
    "summary": "When a taxpayer first uses invoices, or needs to change their kinds or "
    "numbers, it applies to have the kinds of invoice (including fully digital invoices) and "
    "the invoicing limit approved.",
    "conditions": "The new taxpayer information has been confirmed, and you have real "
    "business that needs invoices.",
    "basis": "Measures of the PRC for the Administration of Invoices, Article 15; Detailed "
    "Rules for the Implementation of the Measures for the Administration of Invoices, "
    "Article 15",
    "review": "The kinds of invoice and the first invoicing limit are set by the taxpayer's "
    "business scope, size and risk level.",
    "legal_note": "The tax office confirms the kinds, number and way of getting invoices "
    "within 5 working days",
    "result": "Tax matter notice (invoice types approved)",
    "materials": {
        "M-AGENT-ID": "The tax officer's identity document; not needed if their real name is "
        "verified.",
    },
    "faqs": [
        (
            "How much can a new company invoice with fully digital invoices at first?",
            "The system sets a first limit by the taxpayer's risk level. You can ask for a "
            "change as your business needs.",
        ),
    ],
}

EN["tax-clearance"] = {
    "summary": "Before a company is deregistered, it declares to the tax office that its "
    "taxes are settled: it pays any tax, late fees and fines, cancels its invoices and gets "
    "a tax clearance certificate.",
    "conditions": "Tax, late fees and fines are paid; invoices and tax control devices are "
    "cancelled; and the company is not under a tax inspection.",
    "basis": "Law of the PRC on the Administration of Tax Collection, Article 16; Detailed "
    "Rules for the Implementation of the Law on the Administration of Tax Collection, "
    "Article 15",
    "review": "The tax office checks for unpaid tax, missing returns, invoices not cancelled "
    "and tax inspections. If all is clear, the tax clearance certificate is issued at once.",
    "result": "Tax clearance certificate",
    "materials": {
        "M-TAX-CLEARANCE-FORM": (
            "Tax clearance return",
            "Filled in online on the electronic tax bureau.",
        ),
    },
    "faqs": [
        (
            "How does a company that never dealt with the tax office close?",
            "A taxpayer that never had any tax matters and owes no tax does not need tax "
            "clearance. It can apply straight to the market regulation bureau for simplified "
            "deregistration.",
        ),
    ],
}

EN["iit-annual"] = {
    "summary": "Between 1 March and 30 June, residents add up last year's wages, fees for "
    "services, author's fees and royalties, and pay any tax still due or claim a refund.",
    "conditions": "Residents who had such income last year and must pay more tax or want a refund.",
    "basis": "Individual Income Tax Law of the PRC, Articles 6 and 11",
    "review": "The return is compared with what employers reported and with third-party "
    "information such as special additional deductions. For a refund, the bank account is "
    "checked.",
    "promised_note": "The return is completed at once; refunds are usually reviewed within "
    "10 working days",
    "result": "Individual income tax record",
    "materials": {
        "M-IIT-RETURN": (
            "Annual individual income tax return",
            "Prefilled in the Individual Income Tax app; check it and submit it.",
        ),
        "M-BANK-ACCOUNT": "If you claim a refund, give your own bank account in mainland China.",
    },
    "faqs": [
        (
            "Do I have to pay more tax if my income was no more than 120,000 yuan?",
            "No. If your income for the year was no more than 120,000 yuan, or you owe no "
            "more than 400 yuan, you need not pay the extra tax.",
        ),
    ],
}

EN["resident-medical-premium"] = {
    "summary": "People in the resident medical insurance scheme pay their own share for the "
    "next year every year. For a newborn baby you can pay in the Having a baby one-stop "
    "service.",
    "conditions": "You are registered in the resident basic medical insurance scheme.",
    "basis": "Social Insurance Law of the PRC, Articles 25 and 59",
    "review": "The registration and any entitlement to help with the premium are checked, "
    "and the amount due is worked out at the year's rate.",
    "result": "Social insurance payment receipt",
    "materials": {
        "M-ID-CARD": "The payer's resident identity card or social security card; for a "
        "newborn, the household register details.",
    },
    "fees": [
        (
            "Resident basic medical insurance premium (personal share)",
            "At the rate for the year: 400 yuan per person for 2026 (as published each year)",
            "Social Insurance Law of the PRC, Article 25; Zhongshan's yearly notice on "
            "resident medical insurance premiums",
            "Medical assistance pays the personal share for people in extreme poverty, "
            "people on the minimum living allowance and others in difficulty, as the rules "
            "allow",
        )
    ],
    "faqs": [
        (
            "Can I pay with WeChat?",
            "Yes. Pay in the Yueshuitong mini program, the Yueshengshi app or at a bank. An "
            "electronic receipt is made as soon as you pay.",
        ),
    ],
}
