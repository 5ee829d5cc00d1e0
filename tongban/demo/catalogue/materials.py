"""Shared materials: the same document has the SAME code in every item, so that a bundle
(一件事) asks for it once. Item-specific materials (application forms …) use ``own``.
"""

from __future__ import annotations

from typing import Any

# code: (name, form, source, source note, requirements, obtainable through data sharing)
LIBRARY: dict[str, tuple[str, str, str, str, str, bool]] = {
    "M-ID-CARD": (
        "居民身份证",
        "original",
        "government",
        "公安机关核发",
        "在有效期内；窗口核验原件，可出示粤省事电子身份证代替",
        True,
    ),
    "M-HOUSEHOLD-BOOK": (
        "居民户口簿",
        "original",
        "government",
        "公安机关核发",
        "户主页及本人页；本市户籍可通过数据共享核验，免于提交",
        True,
    ),
    "M-PHOTO": (
        "近期免冠彩色证件照片",
        "original",
        "applicant",
        "",
        "近6个月内正面免冠彩色照片，白色背景，可现场拍摄或上传数码相片回执",
        False,
    ),
    "M-AUTH-LETTER": (
        "授权委托书",
        "original",
        "applicant",
        "",
        "委托他人办理时提交，写明委托事项、权限和期限，由委托人签名或盖章",
        False,
    ),
    "M-AGENT-ID": (
        "受托人（经办人）身份证件",
        "original",
        "government",
        "公安机关核发",
        "委托他人办理时提交，核验原件",
        True,
    ),
    "M-BIZ-LICENCE": (
        "营业执照",
        "electronic",
        "government",
        "市场监督管理部门核发",
        "通过电子营业执照或数据共享获取，无需提交纸质件",
        True,
    ),
    "M-LEGAL-REP-ID": (
        "法定代表人身份证件",
        "copy",
        "government",
        "公安机关核发",
        "复印件加盖单位公章；使用电子营业执照登录的免于提交",
        True,
    ),
    "M-ARTICLES": (
        "公司章程",
        "original",
        "applicant",
        "",
        "全体股东签署；可选用登记机关提供的章程参考文本",
        False,
    ),
    "M-PREMISES": (
        "住所（经营场所）使用证明",
        "copy",
        "applicant",
        "",
        "自有房产提交不动产权证书，租赁的提交租赁合同；本市已登记房产可免于提交",
        True,
    ),
    "M-BIRTH-CERT": (
        "出生医学证明",
        "original",
        "government",
        "助产机构签发",
        "本市签发的可通过电子证照共享获取",
        True,
    ),
    "M-MARRIAGE-CERT": (
        "结婚证",
        "original",
        "government",
        "民政部门核发",
        "父母双方的结婚证；已登记信息可共享核验",
        True,
    ),
    "M-DEATH-CERT": (
        "居民死亡医学证明（推断）书",
        "original",
        "government",
        "医疗卫生机构或公安机关出具",
        "死亡信息可通过部门共享核验",
        True,
    ),
    "M-BANK-ACCOUNT": (
        "本人银行结算账户信息",
        "copy",
        "applicant",
        "",
        "一类银行结算账户，或已激活金融功能的社会保障卡",
        False,
    ),
    "M-HEALTH-CERT": (
        "从业人员健康证明",
        "original",
        "other",
        "经卫生健康部门认定的体检机构出具",
        "直接接触入口食品的从业人员每人一份，在有效期内；可在线核验",
        True,
    ),
    "M-FLOOR-PLAN": (
        "经营场所平面布局图",
        "original",
        "applicant",
        "",
        "标明面积、功能分区、主要设备设施位置和人流物流走向，A4或A3纸",
        False,
    ),
    "M-PROPERTY-CERT": (
        "不动产权证书",
        "original",
        "government",
        "不动产登记机构核发",
        "本市登记的可通过数据共享核验",
        True,
    ),
    "M-SALE-CONTRACT": (
        "不动产买卖合同",
        "original",
        "applicant",
        "",
        "经网签备案的买卖合同，买卖双方签名",
        True,
    ),
    "M-RESIDENCE-PERMIT": (
        "广东省居住证",
        "original",
        "government",
        "公安机关核发",
        "非本市户籍人员提交，在有效期内",
        True,
    ),
    "M-SOCIAL-CARD": (
        "社会保障卡",
        "original",
        "government",
        "人力资源社会保障部门核发",
        "已激活；可使用电子社保卡",
        True,
    ),
    "M-DRIVING-LICENCE": (
        "机动车驾驶证",
        "original",
        "government",
        "公安交通管理部门核发",
        "在有效期内或有效期满未超过一年",
        True,
    ),
    "M-MEDICAL-CHECK": (
        "机动车驾驶人身体条件证明",
        "electronic",
        "other",
        "具备资格的医疗机构出具",
        "6个月内有效，医疗机构已联网上传的免于提交",
        True,
    ),
    "M-LAND-USE": (
        "使用土地的有关证明文件",
        "copy",
        "government",
        "自然资源部门核发",
        "国有建设用地使用权出让合同或划拨决定书，已共享的免于提交",
        True,
    ),
    "M-PLAN-PERMIT": (
        "建设工程规划许可证",
        "original",
        "government",
        "自然资源部门核发",
        "本市核发的通过数据共享获取",
        True,
    ),
    "M-COMMITMENT": (
        "告知承诺书",
        "original",
        "applicant",
        "",
        "按告知承诺制办理时签署，承诺符合许可条件并愿承担不实承诺的法律责任",
        False,
    ),
    "M-LABOUR-CONTRACT": (
        "劳动合同或录用证明",
        "copy",
        "applicant",
        "",
        "用人单位与职工签订，载明用工起始时间",
        False,
    ),
    "M-COMPANY-ACCOUNT": (
        "单位银行结算账户信息",
        "electronic",
        "applicant",
        "",
        "开户银行、户名和账号；银行已共享开户信息的免于提交",
        True,
    ),
    "M-INCOME-DECL": (
        "家庭经济状况申报及授权核查书",
        "original",
        "applicant",
        "",
        "共同生活家庭成员均须签名，授权民政部门核对收入和财产",
        False,
    ),
}


def m(code: str, necessity: str = "required", req: str = "", copies: int = 1) -> dict[str, Any]:
    """A material from the shared library, with an item-specific requirement if given."""
    name, form, source, note, default_req, shared = LIBRARY[code]
    return {
        "code": code,
        "name": name,
        "necessity": necessity,
        "form": form,
        "source": source,
        "source_note": note,
        "paper_spec": "A4" if form in ("original", "copy") else "",
        "copies": copies,
        "blank_form": "",
        "sample": "",
        "requirements": req or default_req,
        "can_be_waived": shared,
    }


def own(
    code: str,
    name: str,
    req: str,
    *,
    necessity: str = "required",
    form: str = "original",
    source: str = "applicant",
    note: str = "",
    with_form: bool = False,
    copies: int = 1,
) -> dict[str, Any]:
    """An item-specific material; ``with_form`` adds a downloadable blank form and sample."""
    return {
        "code": code,
        "name": name,
        "necessity": necessity,
        "form": form,
        "source": source,
        "source_note": note,
        "paper_spec": "A4" if form in ("original", "copy", "original_and_copy") else "",
        "copies": copies,
        "blank_form": f"{name}（空白表格，广东政务服务网本事项页面下载或窗口领取）"
        if with_form
        else "",
        "sample": f"{name}（示例样表）" if with_form else "",
        "requirements": req,
        "can_be_waived": False,
    }


# English of the shared materials: code -> (name, source note, requirements).
LIBRARY_EN: dict[str, tuple[str, str, str]] = {
    "M-ID-CARD": (
        "Resident identity card",
        "Issued by the public security bureau",
        "Must be in date. The window checks the original; you can show the electronic identity "
        "card in the Yueshengshi app instead.",
    ),
    "M-HOUSEHOLD-BOOK": (
        "Household register booklet (hukou)",
        "Issued by the public security bureau",
        "The head of household's page and your own page. Not needed if your household is "
        "registered in Zhongshan: it is checked through data sharing.",
    ),
    "M-PHOTO": (
        "Recent colour ID photo",
        "",
        "Taken in the last 6 months, facing forward, no hat, white background. You can have it "
        "taken at the window or upload the receipt of a digital photo.",
    ),
    "M-AUTH-LETTER": (
        "Letter of authorisation",
        "",
        "Only if someone applies for you. It must say what they may do and for how long, "
        "signed or stamped by you.",
    ),
    "M-AGENT-ID": (
        "Identity document of the person applying for you",
        "Issued by the public security bureau",
        "Only if someone applies for you. The window checks the original.",
    ),
    "M-BIZ-LICENCE": (
        "Business licence",
        "Issued by the market regulation authority",
        "Obtained from the electronic business licence or through data sharing: no paper copy "
        "is needed.",
    ),
    "M-LEGAL-REP-ID": (
        "Identity document of the legal representative",
        "Issued by the public security bureau",
        "A copy stamped with the company seal. Not needed if you sign in with the electronic "
        "business licence.",
    ),
    "M-ARTICLES": (
        "Articles of association",
        "",
        "Signed by all shareholders. You can use the model articles the registration office "
        "provides.",
    ),
    "M-PREMISES": (
        "Proof of the right to use the premises",
        "",
        "The property certificate if you own the premises, or the lease if you rent them. Not "
        "needed for property registered in Zhongshan.",
    ),
    "M-BIRTH-CERT": (
        "Medical birth certificate",
        "Issued by the hospital where the baby was born",
        "Certificates issued in Zhongshan are obtained through electronic certificate sharing.",
    ),
    "M-MARRIAGE-CERT": (
        "Marriage certificate",
        "Issued by the civil affairs bureau",
        "The parents' marriage certificate. Registered marriages can be checked through data "
        "sharing.",
    ),
    "M-DEATH-CERT": (
        "Medical certificate of death",
        "Issued by the hospital, a health institution or the police",
        "The death can be checked through data sharing between departments.",
    ),
    "M-BANK-ACCOUNT": (
        "Details of your own bank account",
        "",
        "A class I bank account, or a social security card with its bank account activated.",
    ),
    "M-HEALTH-CERT": (
        "Health certificate of food workers",
        "Issued by a medical examination centre approved by the health authority",
        "One for each worker who handles food, in date. It can be checked online.",
    ),
    "M-FLOOR-PLAN": (
        "Floor plan of the premises",
        "",
        "Showing the area, what each room is for, the main equipment, and how people and goods "
        "move through it. On A4 or A3 paper.",
    ),
    "M-PROPERTY-CERT": (
        "Real estate title certificate",
        "Issued by the real estate registration office",
        "Property registered in Zhongshan is checked through data sharing.",
    ),
    "M-SALE-CONTRACT": (
        "Property sale contract",
        "",
        "The contract signed online and filed, signed by the buyer and the seller.",
    ),
    "M-RESIDENCE-PERMIT": (
        "Guangdong residence permit",
        "Issued by the public security bureau",
        "For people whose household is not registered in Zhongshan. Must be in date.",
    ),
    "M-SOCIAL-CARD": (
        "Social security card",
        "Issued by the human resources and social security bureau",
        "Activated. You can use the electronic social security card.",
    ),
    "M-DRIVING-LICENCE": (
        "Driving licence",
        "Issued by the traffic police",
        "In date, or expired less than a year ago.",
    ),
    "M-MEDICAL-CHECK": (
        "Driver's medical certificate",
        "Issued by a qualified hospital or clinic",
        "Valid for 6 months. Not needed if the hospital has uploaded it online.",
    ),
    "M-LAND-USE": (
        "Proof of the right to use the land",
        "Issued by the natural resources bureau",
        "The land grant contract or allocation decision. Not needed if it is already shared.",
    ),
    "M-PLAN-PERMIT": (
        "Construction project planning permit",
        "Issued by the natural resources bureau",
        "Permits issued in Zhongshan are obtained through data sharing.",
    ),
    "M-COMMITMENT": (
        "Statement of commitment",
        "",
        "Signed when you apply under the commitment system: you promise that you meet the "
        "conditions and accept legal responsibility if the promise is untrue.",
    ),
    "M-LABOUR-CONTRACT": (
        "Employment contract or letter of appointment",
        "",
        "Between the employer and the employee, stating the date employment started.",
    ),
    "M-COMPANY-ACCOUNT": (
        "Details of the company's bank account",
        "",
        "The bank, account name and account number. Not needed if the bank has shared the "
        "account details.",
    ),
    "M-INCOME-DECL": (
        "Household income declaration and consent to checks",
        "",
        "Signed by every member of the household, allowing the civil affairs bureau to check "
        "income and assets.",
    ),
}
