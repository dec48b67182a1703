# caption: 用 xml.etree.ElementTree 序列化/反序列化一个订单（属性、子元素、转义、命名空间），并与同一数据的 JSON 对比体积与类型信息
# point: XML序列化和反序列化
import json
import xml.etree.ElementTree as ET

NS = "urn:atlas:order:1"
ET.register_namespace("o", NS)

order = {"id": 1001, "customer": 'Tom & "Jerry" <VIP>', "paid": True,
         "items": [{"sku": "A-1", "qty": 2, "price": 9.5},
                   {"sku": "B-7", "qty": 1, "price": 120.0}],
         "note": "第一行\n第二行"}


def to_xml(o):
    root = ET.Element("{%s}order" % NS, id=str(o["id"]), paid=str(o["paid"]).lower())
    ET.SubElement(root, "{%s}customer" % NS).text = o["customer"]
    items = ET.SubElement(root, "{%s}items" % NS)
    for it in o["items"]:
        ET.SubElement(items, "{%s}item" % NS, sku=it["sku"],
                      qty=str(it["qty"]), price=repr(it["price"]))
    ET.SubElement(root, "{%s}note" % NS).text = o["note"]
    return ET.tostring(root, encoding="unicode")


def from_xml(text):
    root = ET.fromstring(text)
    q = "{%s}" % NS
    return {"id": int(root.get("id")),               # every value comes back as a
            "customer": root.find(q + "customer").text,  # string: the schema in
            "paid": root.get("paid") == "true",      # our code restores types
            "items": [{"sku": e.get("sku"), "qty": int(e.get("qty")),
                       "price": float(e.get("price"))}
                      for e in root.iterfind(q + "items/" + q + "item")],
            "note": root.find(q + "note").text}


xml_text = to_xml(order)
print(xml_text[:150] + " ...")
assert "Tom &amp; \"Jerry\" &lt;VIP&gt;" in xml_text       # text escaping
assert from_xml(xml_text) == order
print("round trip OK; '&' and '<' escaped as &amp; &lt; in text")

# attribute values escape quotes and newlines too
e = ET.Element("x", v='a"b\nc')
s = ET.tostring(e, encoding="unicode")
assert s == '<x v="a&quot;b&#10;c" />' and ET.fromstring(s).get("v") == 'a"b\nc'
print("attribute escaping:", s)

# namespaces: the same local name in two vocabularies stays distinct
doc = ET.fromstring('<r xmlns:a="urn:a" xmlns:b="urn:b"><a:id>1</a:id><b:id>2</b:id></r>')
assert [c.tag for c in doc] == ["{urn:a}id", "{urn:b}id"]
print("namespaced tags:", [c.tag for c in doc])

# malformed documents raise ParseError
for bad in ("<a><b></a>", "<a>&unknown;</a>", "<a x=1/>", "<a></a><b/>"):
    try:
        ET.fromstring(bad)
        raise AssertionError(bad)
    except ET.ParseError as err:
        print("ParseError %-20r %s" % (bad, err))

json_text = json.dumps(order, ensure_ascii=False, separators=(",", ":"))
assert json.loads(json_text) == order                   # types survive natively
print("same order: XML %d bytes, JSON %d bytes"
      % (len(xml_text.encode()), len(json_text.encode())))
assert len(json_text) < len(xml_text)
