"""A post's Markdown subset: what is rendered, and what is neutralised but still shown as text."""

from kure.discussions.markup import count_links, render


def test_the_subset_is_rendered():
    html = render("*vurgu* **kalın** `kod`\n\n- bir\n- iki\n\n1. ilk\n\n> alıntı\n\n[NATO](https://www.nato.int/)")
    assert "<em>vurgu</em>" in html and "<strong>kalın</strong>" in html and "<code>kod</code>" in html
    assert "<ul>\n<li>bir</li>" in html and "<ol>\n<li>ilk</li>" in html
    assert "<blockquote>\n<p>alıntı</p>\n</blockquote>" in html
    assert '<a href="https://www.nato.int/" rel="nofollow ugc">NATO</a>' in html


def test_script_and_raw_html_are_shown_as_text():
    html = render('<script>alert("x")</script> <b onclick="x()">kalın</b> <iframe src="https://x"></iframe>')
    assert "<script" not in html and "<b" not in html and "<iframe" not in html
    assert "&lt;script&gt;alert(\"x\")&lt;/script&gt;" in html
    assert "&lt;b onclick=\"x()\"&gt;kalın&lt;/b&gt;" in html


def test_dangerous_and_relative_links_stay_text():
    html = render("[tıkla](javascript:alert(1)) [veri](data:text/html;base64,PHNjcmlwdD4=) [yol](/tr/admin/) "
                  "[posta](mailto:a@b.c) [BÜYÜK](JaVaScRiPt:alert(1))")
    assert "<a" not in html and "href" not in html
    assert "[tıkla](javascript:alert(1))" in html and "[yol](/tr/admin/)" in html


def test_images_headings_and_code_blocks_are_not_made():
    html = render("# Başlık\n\n![resim](https://example.org/a.png)\n\n```\nkod\n```\n\n---")
    assert "<h1" not in html and "<img" not in html and "<pre" not in html and "<hr" not in html
    assert "# Başlık" in html and "resim" in html and "kod" in html


def test_links_are_counted_however_they_are_written():
    assert count_links("yok") == 0
    assert count_links("https://a.org ve [b](http://b.org) ve www.c.org") == 3
